import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NodegroupNeeds } from '../../shared/adapters/eks/nodegroup.ts';
import { hpaActuators, nodegroupActuators } from '../../shared/adapters/kubernetes/index.ts';
import type { NamedObject } from '../../shared/adapters/kubernetes/ref.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { Target } from '../../shared/domain/types.ts';
import type { ActuatorContext } from '../../shared/ports/actuator.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { FakeKubeApi } from '../kubernetes/fake-api-server.ts';
import { DEPLOY, deployment, hpa } from '../kubernetes/helpers.ts';
import { Rbac } from '../kubernetes/rbac.ts';
import { FakeAws } from './fake-aws.ts';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const CA = readFileSync(path.join(FIXTURES, 'ca.crt'));
const ROLE = 'arn:aws:iam::123456789012:role/headroom-prod';
const saved = { ...process.env };

const clock = new ManualClock('2026-11-27T18:00:00Z');
/** One fake account per file: SDK clients resolve the endpoint override once per process. */
let aws: FakeAws;
let kube: FakeKubeApi;
/** Every bearer token the API server saw, and whether the EKS authenticator accepted it. */
let seen: { token: string; ok: boolean }[];
let accessEntry: boolean;

function runtime(roleArn: string | null = ROLE) {
  const config = parseConfig(
    JSON.stringify({
      version: 1,
      clusters: {
        prod: { eksCluster: 'kaireon-prod', region: 'eu-central-1', ...(roleArn ? { roleArn } : {}) },
      },
      targets: {
        api: {
          kind: 'k8s-hpa',
          cluster: 'prod',
          namespace: 'kaireon',
          name: 'kaireon-api-hpa',
          bounds: { min: 3, max: 60 },
        },
        system: { kind: 'eks-nodegroup', cluster: 'prod', nodegroup: 'system', bounds: { min: 2, max: 10 } },
      },
    }),
  );
  const ctx: ActuatorContext = { config, clock };
  // Validated by their kinds' schemas: they carry what the actuators read.
  const api = config.targets[0]! as Target<NamedObject>;
  const system = config.targets[1]! as Target<NodegroupNeeds>;
  return {
    api,
    system,
    hpa: hpaActuators(ctx)(api),
    nodegroup: nodegroupActuators(ctx)(system),
  };
}

beforeAll(async () => {
  aws = await FakeAws.start(clock);
  aws.addKey('AKIALAMBDAROLE000001', 'lambda-role-secret');
  // The SDK's own endpoint override: the real EKS and STS clients talk to the fake.
  process.env.AWS_ENDPOINT_URL_EKS = aws.url;
  process.env.AWS_ENDPOINT_URL_STS = aws.url;
  process.env.AWS_REGION = 'eu-central-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIALAMBDAROLE000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'lambda-role-secret';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});
afterAll(async () => {
  process.env = saved;
  await aws.close();
});

beforeEach(async () => {
  clock.set('2026-11-27T18:00:00Z');
  aws.reset();
  seen = [];
  accessEntry = true;
  kube = await FakeKubeApi.start({
    tls: {
      key: readFileSync(path.join(FIXTURES, 'server.key'), 'utf8'),
      cert: readFileSync(path.join(FIXTURES, 'server.crt'), 'utf8'),
    },
    rbac: Rbac.fromDirectory(DEPLOY),
    // The EKS authenticator: STS says who signed the token; the access entry maps it to the group.
    authenticate: (token) => {
      const who = aws.verifyEksToken(token, 'kaireon-prod');
      seen.push({ token: token ?? '', ok: !!who });
      return who && accessEntry ? { user: who.arn, groups: ['headroom', 'system:authenticated'] } : undefined;
    },
  });
  aws.clusters.set('kaireon-prod', { endpoint: kube.url, ca: CA.toString('base64'), status: 'ACTIVE' });
  aws.addNodegroup('kaireon-prod', 'system', { minSize: 2, desiredSize: 2, maxSize: 6 });
  kube.put(deployment('kaireon', 'kaireon-api', 3));
  kube.put(hpa('kaireon', 'kaireon-api-hpa', 3, 20));
});
afterEach(() => kube.close());

describe('Cluster access: EKS', () => {
  it('finds the endpoint and CA with DescribeCluster and authenticates with a token of the assumed role', async () => {
    const { api, hpa: actuator } = runtime();
    const a = await actuator.read(api);
    expect(a.value).toBe(3);
    expect(aws.ops('eks:DescribeCluster')).toHaveLength(1);
    expect(aws.ops('sts:AssumeRole')).toHaveLength(1);
    expect(aws.ops('sts:AssumeRole')[0]).toMatchObject({ RoleArn: ROLE, RoleSessionName: 'headroom' });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.ok)).toBe(true);
  });

  it("signs with the function's own credentials when no role is named", async () => {
    const { api, hpa: actuator } = runtime(null);
    expect((await actuator.read(api)).value).toBe(3);
    expect(aws.ops('sts:AssumeRole')).toHaveLength(0);
    expect(seen.every((s) => s.ok)).toBe(true);
  });

  it('reuses one token for 14 minutes and signs the next one after', async () => {
    const { api, hpa: actuator } = runtime();
    for (let i = 0; i < 14; i++) {
      await actuator.read(api);
      clock.advance(59_000);
    }
    expect(new Set(seen.map((s) => s.token)).size).toBe(1);
    clock.set(Date.parse('2026-11-27T18:14:00Z'));
    await actuator.read(api);
    expect(new Set(seen.map((s) => s.token)).size).toBe(2);
    expect(aws.ops('sts:AssumeRole')).toHaveLength(1);
    expect(aws.ops('eks:DescribeCluster')).toHaveLength(1);
  });

  it('on a 401 fetches fresh credentials, signs a new token and retries once', async () => {
    const { api, hpa: actuator } = runtime();
    await actuator.read(api);
    aws.revokeSessions();
    const before = kube.requests.length;
    const r = await actuator.apply(api, 9, {
      stepId: 's',
      reason: 'test',
      now: clock.now(),
      remembered: {},
      approved: false,
      campaignActive: false,
    });
    expect(r.status).toBe('applied');
    expect(kube.requests.slice(before).map((q) => q.status)).toEqual([401, 200, 200]);
    expect(aws.ops('sts:AssumeRole')).toHaveLength(2);
    expect(kube.get('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa')!.spec.minReplicas).toBe(9);
  });

  it('reports unauthorized after one refresh when the cluster does not know the role (no access entry)', async () => {
    accessEntry = false;
    const { api, hpa: actuator } = runtime();
    const err = await actuator.read(api).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unauthorized' });
    expect((err as Error).message).toContain(
      'refused the credentials (401 Unauthorized), also after a refresh',
    );
    expect((err as Error).message).not.toContain('k8s-aws-v1.');
    expect(kube.requests.map((q) => q.status)).toEqual([401, 401]);
  });

  it('refuses an API server whose certificate the cluster CA did not sign', async () => {
    aws.clusters.set('kaireon-prod', {
      endpoint: kube.url,
      ca: readFileSync(path.join(FIXTURES, 'server.crt')).toString('base64'),
      status: 'ACTIVE',
    });
    const { api, hpa: actuator } = runtime();
    await expect(actuator.read(api)).rejects.toMatchObject({ code: 'unreachable' });
    expect(kube.requests).toHaveLength(0);
  });

  it('names eks:DescribeCluster when the role may not describe the cluster', async () => {
    aws.denied.add('eks:DescribeCluster');
    const { api, hpa: actuator } = runtime();
    await expect(actuator.read(api)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('the role needs IAM action eks:DescribeCluster'),
    });
  });

  it('reaches managed node groups with the same assumed role', async () => {
    const { system, nodegroup } = runtime();
    expect((await nodegroup.read(system)).value).toBe(2);
    expect(aws.ops('eks:DescribeNodegroup')).toHaveLength(1);
  });
});
