import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../shared/adapters/state/sqlite.ts';
import { recordOutcome } from '../../shared/app/campaign-learning.ts';
import { emptyObservation, observe } from '../../shared/campaigns/learning.ts';
import { Repo } from '../../shared/state/repo.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');

const CONFIG = `version: 1
clusters:
  prod: { kubeconfig: { context: prod } }
signals:
  traffic:
    source: cloudwatch
    region: eu-central-1
    metric: { namespace: AWS/ApplicationELB, name: RequestCount, dimensions: { LoadBalancer: app/web/1 }, stat: Sum, period: 60 }
    unit: perMinute
targets:
  api:
    kind: k8s-hpa
    cluster: prod
    namespace: web
    name: api
    bounds: { min: 2, max: 80 }
    capacity: { signal: traffic, perUnit: 10, targetUtilization: 0.7 }
campaigns:
  - { name: ad-1, start: "2030-01-10T20:00:00Z", duration: 1h, multiplier: 15, targets: [api], series: tv }
  - { name: ad-2, start: "2030-02-10T20:00:00Z", duration: 1h, multiplier: 15, targets: [api], series: tv }
`;

describe('Command: headroom campaign list, with what the brain learnt', () => {
  it("shows an ended campaign's outcome and, under the next one of its series, the suggested multiplier", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-learn-'));
    writeFileSync(path.join(dir, 'headroom.yaml'), CONFIG);
    mkdirSync(path.join(dir, '.headroom'));
    // What the reconciles around ad-1 saw: api ready 2 minutes early, demand 9x the forecast.
    const store = openSqliteStateStore(path.join(dir, '.headroom', 'state.db'));
    const start = Date.parse('2030-01-10T20:00:00Z');
    let obs = emptyObservation({
      name: 'ad-1',
      start: '2030-01-10T20:00:00Z',
      durationSeconds: 3600,
      multiplier: 15,
      targets: ['api'],
      series: 'tv',
    });
    obs = observe(obs, {
      now: start - 120_000,
      intervalMinutes: 1,
      layers: { api: { floor: 30, ready: 30 } },
    });
    obs = observe(obs, {
      now: start + 60_000,
      intervalMinutes: 1,
      demand: { observed: 90, expected: 10 },
      served: true,
      layers: { api: { ready: 30 } },
    });
    await recordOutcome(new Repo(store), 'ad-1:2030-01-10T20:00:00Z', obs, new Date(start + 3600_000));
    await store.close();

    const r = spawnSync(process.execPath, [BIN, 'campaign', 'list', '--config', 'headroom.yaml'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: '2030-01-20T00:00:00Z' },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'ad-1  x15  2030-01-10T20:00:00.000Z  1h  api  series tv',
      '  outcome: observed x9 (planned x15); ready: api 2m before; 0 short minute(s)',
      'ad-2  x15  2030-02-10T20:00:00.000Z  1h  api  series tv',
      '  suggested multiplier x9 (planned x15): series tv: median observed uplift x9 of ad-1 x9',
    ]);
    const audit = spawnSync(process.execPath, [BIN, 'audit', '--config', 'headroom.yaml'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, HEADROOM_CONFIG: '' },
    });
    // `status` in the week after: the targets, then what the last campaigns taught.
    const status = spawnSync(process.execPath, [BIN, 'status', '--config', 'headroom.yaml'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: '2030-01-12T00:00:00Z' },
    });
    expect(status.stderr).toBe('');
    expect(status.stdout.trimEnd().split('\n').at(-1)).toBe(
      'campaign ad-1 ended 2030-01-10T21:00:00Z: observed x9 (planned x15); ready: api 2m before; 0 short minute(s)',
    );
    expect(audit.stdout).toContain(
      'campaign ad-1 ended: observed x9 (planned x15); ready: api 2m before; 0 short minute(s)',
    );
  });
});
