import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');

function headroom(args: string[], state: string) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--config', EXAMPLE_CONFIG, '--state', state], {
    encoding: 'utf8',
    env: { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: '2026-12-07T19:00:00Z' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('Command: headroom ceiling', () => {
  it('stores a ceiling that plan shows applied, and release ends it', () => {
    const state = mkdtempSync(path.join(tmpdir(), 'headroom-ceiling-'));
    const add = headroom(['ceiling', 'api', '2', '--for', '12h', '--reason', 'quiet night'], state);
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toMatch(
      /^ceiling 2 on api from 2026-12-07T19:00:0\S+ until 2026-12-08T07:00:0\S+ \(12h\)/,
    );

    const plan = headroom(['plan', '--at', '2026-12-07T19:05:00Z', '--json'], state);
    const api = JSON.parse(plan.out).targets.find((t: { id: string }) => t.id === 'api');
    expect(api).toMatchObject({ actual: 3, desired: 2, decision: 'scale-down' });
    expect(api.steps[0].set).toEqual({ minReplicas: 2, maxReplicas: 2 });
    expect(api.reasons.join(' ')).toContain('quiet night: ceiling 2 for 12h');

    const release = headroom(['release', 'api'], state);
    expect(release.out).toMatch(/^released cli:api:ceiling:\S+ on api \(ceiling 2 until /);
  });

  it('exits 1 naming what is wrong, storing nothing', () => {
    const state = mkdtempSync(path.join(tmpdir(), 'headroom-ceiling-'));
    const hpaZero = headroom(['ceiling', 'api', '0', '--for', '12h'], state);
    expect(hpaZero.code).toBe(1);
    expect(hpaZero.err.trim()).toBe(
      'error: ceiling: expected a whole number of at least 1 for api (maxReplicas), got 0',
    );
    const rds = headroom(['ceiling', 'db', '1', '--for', '12h'], state);
    expect(rds.err.trim()).toBe('error: target: db (rds-instance) takes no ceiling');
    expect(headroom(['ceiling', 'api', 'two', '--for', '12h'], state).code).toBe(1);
    const status = headroom(['status', '--json'], state);
    const intents: { ceiling?: number }[] = JSON.parse(status.out).intents;
    expect(intents.filter((i) => i.ceiling !== undefined)).toEqual([]);
  });
});
