import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../shared/adapters/state/sqlite.ts';
import { Repo } from '../../shared/state/repo.ts';
import { EXAMPLE_CONFIG, simBrain } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
const AT = '2026-11-27T18:00:00Z';
/** The CLI runs a minute after the intents were recorded. */
const CLI_AT = '2026-11-27T18:01:00Z';

function headroom(args: string[], cwd: string, user = 'alice') {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    // The CLI's clock stands where the intents were recorded: nothing depends on today's date.
    env: { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: CLI_AT, USER: user },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A state directory holding a Slack floor on workers and an alarm's floor on api. */
async function stateWithIntents() {
  const cwd = mkdtempSync(path.join(tmpdir(), 'headroom-release-'));
  mkdirSync(path.join(cwd, '.headroom'));
  const store = openSqliteStateStore(path.join(cwd, '.headroom', 'state.db'));
  const w = simBrain({ store, at: AT });
  const slack = await w.brain.requestFloor({
    target: 'workers',
    floor: 12,
    forSeconds: 7200,
    reason: 'asked in Slack',
    source: { kind: 'slack', ref: 'U0G9QF9C6' },
  });
  await w.brain.handleSignal(
    { kind: 'alarm', name: 'kaireon-api-cpu-high', state: 'ALARM', id: 'a1' },
    'alarm-a1',
  );
  w.clock.advance(1000);
  await w.brain.requestFloor({
    target: 'api',
    floor: 6,
    forSeconds: 3600,
    reason: 'warm-up',
    source: { kind: 'cli', ref: 'bob' },
  });
  const ids = (await w.repo.intents(w.clock.now())).map((i) => i.id);
  await store.close();
  return { cwd, slackId: slack!.id, ids };
}

/** The audit log of the state directory, newest first, read after the CLI has closed it. */
async function auditOf(cwd: string) {
  const store = openSqliteStateStore(path.join(cwd, '.headroom', 'state.db'));
  try {
    return await store.listAudit();
  } finally {
    await store.close();
  }
}

/** The intents stored in the state directory, read after the CLI has closed it. */
async function storedIntents(cwd: string): Promise<string[]> {
  const store = openSqliteStateStore(path.join(cwd, '.headroom', 'state.db'));
  try {
    return (await new Repo(store).intents(new Date(CLI_AT))).map((i) => i.id).sort();
  } finally {
    await store.close();
  }
}

describe('Command: headroom release', () => {
  it('ends one intent by id, with the reason in the audit log', async () => {
    const { cwd, slackId, ids } = await stateWithIntents();
    const r = headroom(['release', slackId, '--reason', 'launch moved', '--config', EXAMPLE_CONFIG], cwd);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(`released ${slackId} on workers (floor 12 until 2026-11-27T20:00:00Z)`);
    expect(await storedIntents(cwd)).toEqual(ids.filter((id) => id !== slackId).sort());
    expect((await auditOf(cwd))[0]).toMatchObject({
      action: 'intent-released',
      target: 'workers',
      actor: 'alice',
      reason: 'released by alice: launch moved',
    });
  });

  it('ends every live intent of a target', async () => {
    const { cwd } = await stateWithIntents();
    const r = headroom(['release', 'api', '--config', EXAMPLE_CONFIG], cwd);
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(2);
    expect(await storedIntents(cwd)).toEqual([expect.stringMatching(/^slack:workers:/)]);
    expect((await auditOf(cwd)).filter((e) => e.action === 'intent-released').map((e) => e.target)).toEqual([
      'api',
      'api',
    ]);
  });

  it('exits 1 naming an unknown intent or target, and changes nothing', async () => {
    const { cwd, ids } = await stateWithIntents();
    const before = (await auditOf(cwd)).length;
    const r = headroom(['release', 'slack:workers:nope', '--config', EXAMPLE_CONFIG], cwd);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: no live intent or target "slack:workers:nope" \(live intents: /);
    const idle = headroom(['release', 'db', '--config', EXAMPLE_CONFIG], cwd);
    expect(idle.code).toBe(1);
    expect(idle.err).toContain('no live intent holds a floor on target db');
    expect(await storedIntents(cwd)).toEqual([...ids].sort());
    expect(await auditOf(cwd)).toHaveLength(before);
  });
});
