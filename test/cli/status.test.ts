import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../shared/cli/status-command.ts';
import { ActuatorError } from '../../shared/domain/errors.ts';
import { EXAMPLE_CONFIG, simBrain } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');

function headroom(args: string[]) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'headroom-status-'));
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: '2026-11-20T12:00:00Z' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('Command: headroom status', () => {
  it('shows a failing step with its error and next retry', async () => {
    const env = simBrain({ at: '2026-11-20T12:00:00Z' });
    await env.brain.requestFloor({
      target: 'pgbouncer',
      floor: 4,
      forSeconds: 3600,
      reason: 'test',
      source: { kind: 'cli', ref: 'me' },
    });
    env.sim.failNext('pgbouncer', new ActuatorError('throttled', 'Rate exceeded'));
    await env.brain.reconcile();
    const text = formatStatus(await env.brain.snapshot());
    const row = text.split('\n').find((l) => l.startsWith('pgbouncer'))!;
    expect(row).toMatch(
      /k8s-deployment\s+2\s+4\s+scale-up\s+throttled x1 since 2026-11-20T12:00:00Z, next retry 2026-11-20T12:00:/,
    );
    expect(text.split('\n').find((l) => l.startsWith('api'))).not.toContain('next retry');
  });

  it('prints one target as JSON, and refuses an unknown one with exit 1', () => {
    const one = headroom(['status', 'api', '--json', '--config', EXAMPLE_CONFIG]);
    expect(one.code, one.err).toBe(0);
    const s = JSON.parse(one.out);
    expect(s.targets.map((t: { id: string }) => t.id)).toEqual(['api']);
    expect(s.targets[0]).toMatchObject({ kind: 'k8s-hpa', actual: 3 });
    const bad = headroom(['status', 'apii', '--config', EXAMPLE_CONFIG]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('unknown target "apii"');
  });
});
