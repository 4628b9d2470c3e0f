import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/ports/clock.ts';
import { applyCtx, realActuator, rejection, T0 } from './helpers.ts';

/**
 * The real SDK client the registry builds (adaptive retry, query protocol, XML parsing) against
 * a local endpoint answering with RDS's documented XML: throttling is retried by the SDK itself,
 * errors arrive as the SDK's modelled exceptions and are mapped, answers are parsed as on AWS.
 */
const NS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const instanceXml = `<DescribeDBInstancesResponse xmlns="${NS}">
  <DescribeDBInstancesResult>
    <DBInstances>
      <DBInstance>
        <DBInstanceIdentifier>kaireon-prod</DBInstanceIdentifier>
        <DBInstanceClass>db.r6g.large</DBInstanceClass>
        <Engine>postgres</Engine>
        <DBInstanceStatus>modifying</DBInstanceStatus>
        <MultiAZ>false</MultiAZ>
        <AllocatedStorage>100</AllocatedStorage>
        <AvailabilityZone>eu-central-1a</AvailabilityZone>
        <PendingModifiedValues><DBInstanceClass>db.r6g.xlarge</DBInstanceClass></PendingModifiedValues>
        <ReadReplicaDBInstanceIdentifiers/>
      </DBInstance>
    </DBInstances>
  </DescribeDBInstancesResult>
  <ResponseMetadata><RequestId>7b2c1b9e-3c8f-4a57-9f2e-2a1f0f1f6a11</RequestId></ResponseMetadata>
</DescribeDBInstancesResponse>`;
const errorXml = (code: string, message: string) => `<ErrorResponse xmlns="${NS}">
  <Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>
  <RequestId>0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f</RequestId>
</ErrorResponse>`;

describe('Function: the real RDS client of the registry', () => {
  let server: Server;
  const requests: string[] = [];
  const script: { status: number; body: string }[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        requests.push(body);
        const next = script.shift() ?? { status: 500, body: errorXml('InternalFailure', 'no script') };
        res.writeHead(next.status, { 'content-type': 'text/xml' });
        res.end(next.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.env.AWS_ENDPOINT_URL_RDS = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise<void>((r) => server.close(() => r()));
  });

  const target = {
    db: {
      kind: 'rds-instance',
      identifier: 'kaireon-prod',
      region: 'eu-central-1',
      tiers: ['db.r6g.large', 'db.r6g.xlarge'],
    },
  };

  it('retries a throttled DescribeDBInstances (adaptive mode) and parses the answer', async () => {
    script.push(
      { status: 400, body: errorXml('Throttling', 'Rate exceeded') },
      { status: 200, body: instanceXml },
    );
    const { target: t, actuator } = realActuator(target, 'db', new ManualClock(T0));
    const a = await actuator.read(t);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toContain('Action=DescribeDBInstances');
    expect(requests[0]).toContain('DBInstanceIdentifier=kaireon-prod');
    expect(a).toMatchObject({ value: 1, ready: 0, busy: 'modifying: db.r6g.large -> db.r6g.xlarge' });
    expect(a.risk).toMatch(/Single-AZ/);
  });

  it('maps an unknown identifier answered on the wire to not-found, without a retry', async () => {
    requests.length = 0;
    script.push({ status: 404, body: errorXml('DBInstanceNotFound', 'DBInstance kaireon-prod not found.') });
    const clock = new ManualClock(T0);
    const { target: t, actuator } = realActuator(target, 'db', clock);
    const err = await rejection(actuator.apply(t, 1, applyCtx(clock)));
    expect(err.code).toBe('not-found');
    expect(err.message).toBe(
      'DescribeDBInstances kaireon-prod: DBInstanceNotFound: DBInstance kaireon-prod not found. (check the identifier and region in the config)',
    );
    expect(requests).toHaveLength(1);
  });
});
