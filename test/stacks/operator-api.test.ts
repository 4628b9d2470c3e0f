import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Brain } from '../../shared/app/brain.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { nullNotifier } from '../../shared/ports/notifier.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { OPERATOR_ROUTES } from '../../shared/triggers/operator.ts';
import { OPERATOR_ROUTE_KEYS } from '../../stacks/settings.ts';
import { exampleConfig } from '../helpers/example.ts';
import {
  ACCOUNT,
  type Backends,
  clockEnv,
  linkedValues,
  REGION,
  ROOT,
  startBackends,
} from './function-env.ts';
import type { IamPrincipal } from './iam-gateway.ts';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'bin/headroom.mjs');
const TABLE = 'headroom-test-operator';
/** The operator's key pair: API Gateway knows it (IAM), the CLI finds it in its environment. */
const OPERATOR_KEY = 'AKIAOPERATOR0000TEST';
const OPERATOR_SECRET = 'operator-secret-2c9e1f';
const OPERATOR_ARN = `arn:aws:iam::${ACCOUNT}:user/ops-alice`;
const KEYS: Record<string, IamPrincipal> = {
  [OPERATOR_KEY]: {
    secretAccessKey: OPERATOR_SECRET,
    userArn: OPERATOR_ARN,
    accountId: ACCOUNT,
    userId: 'AIDAOPSALICE',
  },
};

/** The function's environment as the stacks set it, plus the gateway in front of its handler. */
const CHILD = `
const { serveIamGateway } = await import(process.env.GATEWAY_MODULE);
const mod = await import(process.env.FUNCTIONS_DIR + '/operator.ts');
const port = await serveIamGateway(mod.handler, JSON.parse(process.env.GATEWAY));
process.stdout.write('@@' + port + '\\n');
`;

let backends: Backends;
let gateway: ChildProcess;
let api: string;
let gatewayLog = '';

/** The real CLI against the gateway, with the operator's credentials (or `creds`) in its environment. */
async function headroom(args: string[], creds: Record<string, string> = {}, cwd?: string) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...clockEnv(process.env),
    HOME: mkdtempSync(path.join(tmpdir(), 'headroom-operator-home-')),
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: OPERATOR_KEY,
    AWS_SECRET_ACCESS_KEY: OPERATOR_SECRET,
    ...creds,
  };
  for (const [k, v] of Object.entries(creds)) if (v === '') delete env[k];
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, cwd, timeout: 60_000 });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code, out: e.stdout ?? '', err: e.stderr ?? '' };
  }
}

const repo = () => backends.repo();

describe('The operator API behind IAM auth, from the CLI (--api), on the linked operator function', () => {
  beforeAll(async () => {
    backends = await startBackends(TABLE);
    gateway = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: backends.pkg,
      env: backends.env(linkedValues(TABLE), {
        POWERTOOLS_LOG_LEVEL: 'WARN',
        GATEWAY_MODULE: path.join(import.meta.dirname, 'iam-gateway.ts'),
        GATEWAY: JSON.stringify({
          routes: OPERATOR_ROUTE_KEYS,
          keys: KEYS,
          region: REGION,
          functionName: 'headroom-test-operator',
        }),
      }),
    });
    gateway.stderr?.on('data', (d: Buffer) => {
      gatewayLog += d.toString();
    });
    const port = await new Promise<string>((resolve, reject) => {
      let out = '';
      gateway.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        gatewayLog += d.toString();
        const m = /@@(\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      gateway.on('exit', (code) => reject(new Error(`the gateway exited ${code}: ${gatewayLog}`)));
    });
    api = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(async () => {
    gateway?.kill('SIGTERM');
    await backends?.close();
  });

  it('deploys exactly the routes the operator function serves', () => {
    expect(Object.keys(OPERATOR_ROUTES).sort()).toEqual([...OPERATOR_ROUTE_KEYS].sort());
  });

  it('adds, lists and cancels a campaign in the linked table, recorded as the IAM caller', async () => {
    const add = await headroom([
      'campaign',
      'add',
      'spring-sale',
      '--start',
      '+2d',
      '--duration',
      '2h',
      '--multiplier',
      'x4',
      '--targets',
      'api,workers',
      '--api',
      api,
    ]);
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toMatch(/^campaign spring-sale added: x4 from \S+ for 2h on api, workers\n$/);

    const list = await headroom(['campaign', 'list', '--json', '--api', api]);
    expect(list.code, list.err).toBe(0);
    const stored = JSON.parse(list.out).find((c: { name: string }) => c.name === 'spring-sale');
    expect(stored).toMatchObject({
      multiplier: 4,
      targets: ['api', 'workers'],
      createdBy: `iam:${OPERATOR_ARN}`,
    });

    const cancel = await headroom(['campaign', 'cancel', 'spring-sale', '--api', api]);
    expect(cancel.code, cancel.err).toBe(0);
    expect(cancel.out.trim()).toBe('campaign spring-sale cancelled: its floors are released');

    // What the function wrote is in the linked table.
    const r = repo();
    const after = (await r.repo.storedCampaigns(new Date())).find((c) => c.name === 'spring-sale');
    r.close();
    expect(after?.cancelled).toBe(true);

    const audit = await headroom(['audit', '--json', '--api', api]);
    expect(audit.code, audit.err).toBe(0);
    const entries = JSON.parse(audit.out) as { action: string; actor?: string }[];
    expect(entries.filter((e) => e.action.startsWith('campaign-')).map((e) => [e.action, e.actor])).toEqual([
      ['campaign-cancelled', `iam:${OPERATOR_ARN}`],
      ['campaign-added', `iam:${OPERATOR_ARN}`],
    ]);
  });

  it('shows status and plan of the deployed brain, and releases a floor', async () => {
    const r = repo();
    const clock = new ManualClock(new Date());
    const config = exampleConfig();
    const brain = new Brain({
      config,
      repo: r.repo,
      actuators: new SimCloud(config, { clock }).registry,
      clock,
      notifier: nullNotifier,
      owner: 'test',
    });
    const intent = await brain.requestFloor({
      target: 'workers',
      floor: 6,
      forSeconds: 3600,
      reason: 'load test',
      source: { kind: 'cli', ref: 'test' },
    });
    r.close();

    const status = await headroom(['status', '--json', '--api', api]);
    expect(status.code, status.err).toBe(0);
    const s = JSON.parse(status.out);
    expect(s.targets.map((t: { id: string }) => t.id).sort()).toEqual(config.targets.map((t) => t.id).sort());
    expect(s.intents.map((i: { id: string }) => i.id)).toContain(intent!.id);
    // This function may not read the cloud here (the fake AWS grants nothing): it says so per target.
    expect(s.targets.find((t: { id: string }) => t.id === 'db').reasons[0]).toMatch(
      /^cannot read actual state: /,
    );

    const plan = await headroom(['plan', '--api', api]);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.out).toMatch(/^plan at \d{4}-\d\d-\d\dT/);
    expect(plan.out).toMatch(/\nworkers +keda-scaledobject +\? +\? +blocked/);

    const one = await headroom(['status', 'workers', '--api', api]);
    expect(one.out.split('\n').filter((l) => /^[a-z-]+ {2}/.test(l) && !l.startsWith('target'))).toHaveLength(
      1,
    );

    const released = await headroom(['release', 'workers', '--reason', 'test over', '--api', api]);
    expect(released.code, released.err).toBe(0);
    expect(released.out).toContain(`released ${intent!.id} on workers`);
  });

  it('finds the API of a stage in the SST outputs of the directory (--stage), or says how to get it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-operator-sst-'));
    mkdirSync(path.join(dir, '.sst'));
    writeFileSync(
      path.join(dir, '.sst', 'outputs.json'),
      JSON.stringify({ stage: 'test', api, stateTable: TABLE }),
    );
    const ok = await headroom(['campaign', 'list', '--stage', 'test'], {}, dir);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^black-friday-tv {2}x15 {2}/);
    const other = await headroom(['status', '--stage', 'prod'], {}, dir);
    expect(other.code).toBe(1);
    expect(other.err.trim()).toBe(
      `error: --stage prod: ${path.join(dir, '.sst', 'outputs.json')} holds the outputs of stage "test": run \`npx sst deploy --stage prod\` in this directory, or pass --api URL (the \`api\` output of the deploy)`,
    );
    const none = await headroom(['audit', '--stage', 'prod'], {}, tmpdir());
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^error: --stage prod: no SST outputs here \(/);
  });

  it('answers a step that is not waiting, and a bad request, with exit 1 and the reason', async () => {
    const approve = await headroom(['approve', 'db-0000', '--api', api]);
    expect(approve.code).toBe(1);
    expect(approve.err.trim()).toBe(
      'error: POST /api/approve: the API answered 400: no step db-0000 is waiting for approval',
    );
    const plan = await headroom(['plan', '--at', 'someday', '--api', api]);
    expect(plan.code).toBe(1);
    expect(plan.err).toContain('--at: invalid time "someday"');
  });

  it('refuses unsigned and wrongly signed requests (403 at the gateway) and a route without IAM auth (401)', async () => {
    const unsigned = await fetch(`${api}/api/state`);
    expect(unsigned.status).toBe(403);
    const wrongSecret = await headroom(['status', '--api', api], { AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.err).toMatch(
      /^error: GET \/api\/state: the API answered 403: The request signature we calculated does not match/,
    );
    const unknownKey = await headroom(['campaign', 'list', '--api', api], {
      AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000',
    });
    expect(unknownKey.err).toContain(
      'the API answered 403: The security token included in the request is invalid.',
    );
    const noCredentials = await headroom(['status', '--api', api], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    });
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.err).toMatch(
      /^error: no AWS credentials to sign the request to http:\/\/127\.0\.0\.1:\d+/,
    );

    // A route deployed without `auth: { iam: true }` reaches the function with no caller: 401, nothing done.
    for (const [method, route, body] of [
      ['GET', '/api/state', undefined],
      ['POST', '/api/campaigns', { name: 'sneaky', start: '+1d', duration: '1h', multiplier: 2 }],
      ['POST', '/api/release', { what: 'workers' }],
    ] as const) {
      const res = await fetch(`${api}/noauth${route}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      expect(res.status, route).toBe(401);
      expect(await res.json()).toEqual({
        error: 'operator routes need AWS IAM authentication (a SigV4-signed request)',
      });
    }
    const r = repo();
    const stored = await r.repo.storedCampaigns(new Date());
    r.close();
    expect(stored.map((c) => c.name)).not.toContain('sneaky');
  });
});
