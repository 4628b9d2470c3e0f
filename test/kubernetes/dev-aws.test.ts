import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../shared/app/config-file.ts';
import { openRuntime } from '../../shared/cli/runtime.ts';
import type { AuditEntry } from '../../shared/domain/types.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import type { FakeKubeApi } from './fake-api-server.ts';
import { FakeKubeApi as Api } from './fake-api-server.ts';
import { DEPLOY, deployment, hpa, nodePool, writeKubeconfig } from './helpers.ts';
import { Rbac } from './rbac.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
const START = Date.parse('2026-11-27T20:00:00Z');
const END = START + 3600_000;

/** A config a platform team would write for `headroom dev --cloud aws` against a kubeconfig context. */
function configFile(dir: string): string {
  const file = path.join(dir, 'headroom.yaml');
  writeFileSync(
    file,
    `version: 1
defaults: { cooldown: 1m, scaleDownDelay: 5m }
clusters:
  dev:
    kubeconfig: { context: kind-headroom }
targets:
  api:
    kind: k8s-hpa
    cluster: dev
    namespace: kaireon
    name: kaireon-api-hpa
    bounds: { min: 3, max: 60 }
    leadTime: 90s
  nodes:
    kind: karpenter-headroom
    cluster: dev
    namespace: headroom
    nodePool: default
    placeholder: { cpu: 3500m, memory: 14Gi }
    bounds: { min: 0, max: 20 }
    leadTime: 3m
`,
  );
  return file;
}

function headroom(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let api: FakeKubeApi;
let dir: string;
let env: Record<string, string>;
const savedKubeconfig = process.env.KUBECONFIG;

beforeEach(async () => {
  api = await Api.start({ rbac: Rbac.fromDirectory(DEPLOY) });
  api.put(deployment('kaireon', 'kaireon-api', 3, { cpu: '1', memory: '2Gi' }));
  api.put(hpa('kaireon', 'kaireon-api-hpa', 3, 10));
  api.put(nodePool('default'));
  dir = mkdtempSync(path.join(tmpdir(), 'headroom-dev-aws-'));
  // The CLI's clock stands where the test's ManualClock starts (HEADROOM_NOW), so the test
  // does not depend on today's date.
  env = {
    KUBECONFIG: writeKubeconfig(api.url, { context: 'kind-headroom' }),
    HEADROOM_CONFIG: '',
    HEADROOM_NOW: '2026-11-27T19:00:00Z',
  };
  process.env.KUBECONFIG = env.KUBECONFIG;
});
afterEach(async () => {
  await api.close();
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});

describe('Acceptance: headroom dev --cloud aws against a Kubernetes API', () => {
  it('a campaign added with `headroom campaign add` raises the HPA floor in time and restores it after, audited', async () => {
    const config = configFile(dir);
    const state = path.join(dir, 'state');
    const add = headroom(
      [
        'campaign',
        'add',
        'launch',
        '--start',
        '2026-11-27T20:00:00Z',
        '--duration',
        '1h',
        '--multiplier',
        '5',
        '--targets',
        'api,nodes',
        '--config',
        config,
        '--state',
        state,
      ],
      env,
    );
    expect(add.code, add.err).toBe(0);

    // The same runtime `headroom dev --cloud aws` builds, on a clock the test moves.
    const clock = new ManualClock('2026-11-27T19:30:00Z');
    const rt = await openRuntime({ config: loadConfigFile(config), cloud: 'aws', stateDir: state, clock });
    const samples: { t: number; min: number; max: number; spare: number; pods: number; budgets: unknown }[] =
      [];
    try {
      for (let t = clock.now().getTime(); t <= Date.parse('2026-11-27T21:20:00Z'); t += 30_000) {
        clock.set(t);
        await rt.brain.reconcile('tick');
        const h = api.get('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa')!;
        const ph = api.get('deployments', 'headroom', 'headroom-placeholder-nodes');
        samples.push({
          t,
          min: h.spec.minReplicas,
          max: h.spec.maxReplicas,
          spare: ph?.spec.replicas ?? 0,
          pods: api.pods('headroom', 'headroom-placeholder-nodes').length,
          budgets: api.get('nodepools', undefined, 'default')!.spec.disruption.budgets,
        });
      }
    } finally {
      await rt.close();
    }
    const at = (iso: string) => samples.filter((s) => s.t <= Date.parse(iso)).at(-1)!;

    // x5 of the floor Headroom found (3): 15 pods, ready by the start minus the lead time.
    expect(samples.filter((s) => s.t < START - 20 * 60_000).every((s) => s.min === 3)).toBe(true);
    const ready = at(new Date(START - 90_000).toISOString());
    expect(ready.min).toBe(15);
    // The floor exceeds the HPA's ceiling of 10: lifted with it for the campaign.
    expect(ready.max).toBe(15);
    // Held for the whole campaign and the scale-down delay.
    expect(
      samples.filter((s) => s.t >= START - 90_000 && s.t < END + 5 * 60_000).every((s) => s.min === 15),
    ).toBe(true);
    // Restored afterwards: the original floor and ceiling.
    const after = samples.at(-1)!;
    expect(after).toMatchObject({ min: 3, max: 10 });
    const hpaNow = api.get('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa')!;
    expect(hpaNow.metadata.annotations?.['headroom.dev/replaced']).toBeUndefined();

    // Spare nodes for the 12 added pods (1 CPU, 2Gi each) in 3500m/14Gi placeholders: 4,
    // as 4 placeholder pods at negative priority, the pool protected while they are needed.
    const during = at(new Date(START + 30 * 60_000).toISOString());
    expect(during).toMatchObject({ spare: 4, pods: 4, budgets: [{ nodes: '0' }] });
    for (const p of api.pods('headroom', 'headroom-placeholder-nodes'))
      expect(p.spec.priority).toBeLessThan(0);
    expect(after).toMatchObject({ spare: 0, pods: 0, budgets: [{ nodes: '10%' }] });

    // The audit log, as `headroom audit` prints it: the raise and the restore with before/after.
    const audit = headroom(['audit', '--json', '--config', config, '--state', state], env);
    expect(audit.code, audit.err).toBe(0);
    const entries = (JSON.parse(audit.out) as AuditEntry[]).reverse();
    const api_ = entries.filter((e) => e.action === 'step-executed' && e.target === 'api');
    const ups = api_.filter((e) => Date.parse(e.at) < START);
    const downs = api_.filter((e) => Date.parse(e.at) > END);
    expect(ups[0]!.before).toMatchObject({ minReplicas: 3 });
    expect(ups.at(-1)!.after).toMatchObject({ minReplicas: 15, maxReplicas: 15 });
    expect(ups.every((e) => e.reason.includes('campaign launch'))).toBe(true);
    expect(downs.at(-1)!.after).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
    expect(Date.parse(downs[0]!.at)).toBeGreaterThanOrEqual(END + 5 * 60_000);
    expect(entries.some((e) => e.action === 'step-executed' && e.target === 'nodes')).toBe(true);
    expect(entries.filter((e) => e.action === 'step-failed')).toEqual([]);
  });

  it('an API server that goes away is audited and retried on the next reconcile, the run goes on', async () => {
    const config = configFile(dir);
    const state = path.join(dir, 'state');
    expect(
      headroom(
        [
          'campaign',
          'add',
          'launch',
          '--start',
          '2026-11-27T20:00:00Z',
          '--duration',
          '1h',
          '--multiplier',
          '2',
          '--targets',
          'api',
          '--config',
          config,
          '--state',
          state,
        ],
        env,
      ).code,
    ).toBe(0);
    const clock = new ManualClock('2026-11-27T19:57:00Z');
    const rt = await openRuntime({ config: loadConfigFile(config), cloud: 'aws', stateDir: state, clock });
    try {
      const port = api.port;
      await api.close();
      const down = await rt.brain.reconcile('tick');
      expect(down.plan.targets.find((t) => t.id === 'api')).toMatchObject({ decision: 'blocked' });
      expect(down.plan.targets.find((t) => t.id === 'api')!.reasons.join(' ')).toMatch(/unreachable/);
      await api.listen(port);
      clock.advance(30_000);
      await rt.brain.reconcile('tick');
      expect(api.get('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa')!.spec.minReplicas).toBe(6);
      const audit = await rt.brain.audit();
      expect(
        audit.some((e) => e.action === 'blocked' && e.target === 'api' && /unreachable/.test(e.reason)),
      ).toBe(true);
      expect(audit.some((e) => e.action === 'step-executed' && e.target === 'api')).toBe(true);
    } finally {
      await rt.close();
    }
  });
});

describe('Smoke: the real `headroom dev --cloud aws` process', () => {
  it('raises the floor for a running campaign and releases it when the campaign is cancelled', async () => {
    const base = configFile(dir);
    // The process's clock runs in real time from HEADROOM_NOW: no cooldown or delay, so it acts
    // on its next one-second reconcile.
    const config = path.join(dir, 'now.yaml');
    writeFileSync(
      config,
      readFileSync(base, 'utf8').replace(
        'defaults: { cooldown: 1m, scaleDownDelay: 5m }',
        'defaults: { cooldown: 0s, scaleDownDelay: 0s }',
      ),
    );
    const state = path.join(dir, 'state');
    const add = headroom(
      [
        'campaign',
        'add',
        'now',
        '--start',
        'now',
        '--duration',
        '2h',
        '--multiplier',
        '3',
        '--targets',
        'api',
        '--config',
        config,
        '--state',
        state,
      ],
      env,
    );
    expect(add.code, add.err).toBe(0);

    const dev = spawn(
      process.execPath,
      [BIN, 'dev', '--cloud', 'aws', '--config', config, '--state', state, '--port', '0', '--interval', '1'],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    dev.stdout.on('data', (d) => {
      log += d;
    });
    dev.stderr.on('data', (d) => {
      log += d;
    });
    const minReplicas = () =>
      api.get('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa')!.spec.minReplicas;
    try {
      await until(
        () => minReplicas() === 9,
        () => log,
      );
      expect(log).toContain('on the AWS cloud');
      const cancel = headroom(['campaign', 'cancel', 'now', '--config', config, '--state', state], env);
      expect(cancel.code, cancel.err).toBe(0);
      await until(
        () => minReplicas() === 3,
        () => log,
      );
    } finally {
      dev.kill('SIGTERM');
      await new Promise((r) => dev.once('exit', r));
    }
    const audit = JSON.parse(
      headroom(['audit', '--json', '--config', config, '--state', state], env).out,
    ) as AuditEntry[];
    const steps = audit.filter((e) => e.action === 'step-executed' && e.target === 'api').reverse();
    expect(steps.map((e) => [e.before, e.after])).toEqual([
      [
        { minReplicas: 3, maxReplicas: 10 },
        { minReplicas: 9, maxReplicas: 10 },
      ],
      [
        { minReplicas: 9, maxReplicas: 10 },
        { minReplicas: 3, maxReplicas: 10 },
      ],
    ]);
  });
});

/** Polls the fake API while the dev process works; fails with the process log after 30 s. */
async function until(ok: () => boolean, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out; headroom dev said:\n${log()}`);
}
