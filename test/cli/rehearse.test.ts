import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rehearse } from '../../shared/app/rehearse.ts';
import type { ActuatorRegistry } from '../../shared/ports/actuator.ts';
import { EXAMPLE_CONFIG, exampleConfig } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
/** The example campaign starts at 2026-11-27T20:55:00+01:00. */
const START = '2026-11-27T19:55:00Z';

function headroom(args: string[], now: string) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'headroom-rehearse-'));
  const r = spawnSync(process.execPath, [BIN, 'rehearse', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: now },
  });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}

/** The example configuration with its campaign moved (and its targets changed). */
function exampleWith(campaign: { start: string; targets?: string }, edit = (t: string) => t): string {
  let text = edit(readFileSync(EXAMPLE_CONFIG, 'utf8')).replace(
    'start: 2026-11-27T20:55:00+01:00',
    `start: ${campaign.start}`,
  );
  if (campaign.targets)
    text = text.replace(
      'targets: [api, workers, nodes, pgbouncer, db-readers, cache]',
      `targets: ${campaign.targets}`,
    );
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'headroom-rehearse-config-')), 'headroom.yaml');
  writeFileSync(file, text);
  return file;
}

const layerLine = (out: string, id: string) =>
  out.split('\n').find((l) => l.trimStart().startsWith(`${id} `));

describe('Command: headroom rehearse', () => {
  it('plays the example campaign from hours ahead: every layer ready before the start, then reverted', () => {
    const r = headroom(['black-friday-tv', '--config', EXAMPLE_CONFIG], '2026-11-27T16:00:00Z');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(`black-friday-tv: every layer ready before the start at ${START}`);
    for (const id of ['api', 'workers', 'nodes', 'db-readers'])
      expect(layerLine(r.out, id), id).toMatch(/ready \d+m before the start \(\S+ -> \S+\)$/);
    // x15 would need more PgBouncers and cache replicas than their bounds allow: said, not hidden.
    expect(layerLine(r.out, 'pgbouncer')).toMatch(
      /\(2 -> 4\); capped at max 4: the campaign needs more than the bounds allow$/,
    );
    expect(layerLine(r.out, 'cache')).toMatch(/\(1 -> 5\); capped at max 5: the campaign needs more/);
    // The database readers need their 40 minute lead time, and are ready before the first step of
    // the API that depends on them (its staging from 3 pods): their first step is that early.
    expect(r.out).toMatch(
      /2026-11-27T18:5\d:\d\dZ {2}db-readers 1 -> 2 \(ready at 2026-11-27T19:3\d:\d\dZ\)/,
    );
    expect(r.out).toContain('2026-11-27T22:55:00Z  black-friday-tv ends');
    expect(r.out).toContain('db-readers back to 1');
  });

  it('prints the rehearsal as JSON with the readiness of each layer against the start', () => {
    const r = headroom(['black-friday-tv', '--config', EXAMPLE_CONFIG, '--json'], '2026-11-27T16:00:00Z');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.campaign).toMatchObject({ name: 'black-friday-tv', start: START, end: '2026-11-27T22:55:00Z' });
    expect(j.layers.map((l: { target: string }) => l.target)).toEqual([
      'api',
      'workers',
      'nodes',
      'pgbouncer',
      'db-readers',
      'cache',
    ]);
    for (const l of j.layers) {
      expect(l.status, l.target).toBe('ready');
      expect(Date.parse(l.readyAt), l.target).toBeLessThanOrEqual(Date.parse(START));
      expect(Math.floor((Date.parse(START) - Date.parse(l.readyAt)) / 60_000)).toBe(l.minutes);
      expect(Date.parse(l.revertedAt), l.target).toBeGreaterThan(Date.parse('2026-11-27T22:55:00Z'));
    }
    const readers = j.layers.find((l: { target: string }) => l.target === 'db-readers');
    expect(readers).toMatchObject({ from: 1, need: 2, leadTime: '40m' });
  });

  it('reports the database readers late, with the reason, when the campaign starts in 10 minutes', () => {
    const now = '2026-12-10T09:00:00Z';
    const config = exampleWith({ start: '2026-12-10T09:10:00Z' });
    const r = headroom(['black-friday-tv', '--config', config], now);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toMatch(/^black-friday-tv: \d of 6 layers not ready at the start/);
    // HEADROOM_NOW starts the CLI's clock, which then runs: a slow start-up can add a minute.
    expect(layerLine(r.out, 'db-readers')).toMatch(
      /^ {2}db-readers +late by 3[01]m \(1 -> \d\): lead time 40m \+ margin 4m = 44m is longer than the 10m left before the start$/,
    );
    // pgbouncer's one-minute lead time fits.
    expect(layerLine(r.out, 'pgbouncer')).toMatch(/ready \dm before the start/);
    // The first step is taken at once, not at the (past) instant it was due.
    expect(r.out).toMatch(/2026-12-10T09:00:00Z {2}db-readers 1 -> \d \(ready at 2026-12-10T09:40:00Z\)/);
  });

  it('reports a layer whose step waits for an approval as not ready, naming the step', () => {
    const config = exampleWith({ start: '2026-12-10T12:00:00+01:00', targets: '[api, db]' });
    const r = headroom(['black-friday-tv', '--config', config, '--json'], '2026-12-10T06:00:00Z');
    expect(r.code).toBe(1);
    const db = JSON.parse(r.out).layers.find((l: { target: string }) => l.target === 'db');
    expect(db.status).toBe('not-ready');
    expect(db.reasons[0]).toMatch(/^approval pending for step db-\w+ \(/);
    expect(db.minutes).toBe(180);
  });

  it('says when a layer is ready only at its bound, short of what the campaign needs', () => {
    const config = exampleWith({ start: '2026-11-27T20:55:00+01:00' }, (t) =>
      t.replace('bounds: { min: 3, max: 60 }', 'bounds: { min: 3, max: 10 }'),
    );
    const r = headroom(['black-friday-tv', '--config', config], '2026-11-27T16:00:00Z');
    expect(r.code, r.err).toBe(0);
    expect(layerLine(r.out, 'api')).toMatch(
      /ready \d+m before the start \(3 -> 10\); capped at max 10: the campaign needs more than the bounds allow$/,
    );
    expect(layerLine(r.out, 'workers')).not.toContain('capped');
  });

  it('rehearses a campaign that is over from its first step, and says so', () => {
    const r = headroom(['black-friday-tv', '--config', EXAMPLE_CONFIG], '2026-12-20T12:00:00Z');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(
      'note: the campaign ended before 2026-12-20T12:00:00Z: rehearsed from its first step as if it were still ahead',
    );
    expect(layerLine(r.out, 'db-readers')).toMatch(/ready \d+m before the start/);
  });

  it('refuses an unknown campaign with exit 1, naming the known ones', () => {
    const r = headroom(['cyber-monday', '--config', EXAMPLE_CONFIG], '2026-11-27T16:00:00Z');
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe('error: unknown campaign "cyber-monday" (known: black-friday-tv)');
    expect(r.out).toBe('');
  });

  it('writes a self-contained HTML timeline', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-rehearse-html-'));
    const file = path.join(dir, 'timeline.html');
    const r = headroom(
      ['black-friday-tv', '--config', EXAMPLE_CONFIG, '--html', file],
      '2026-11-27T16:00:00Z',
    );
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<h1>Rehearsal of black-friday-tv</h1>');
    expect(html).toMatch(/<th scope="row">db-readers<\/th>.*ready \d+m before the start/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain('<script');
  });
});

describe('Function: rehearse() seeded from real actuators (what --cloud aws passes)', () => {
  it('reads each target once, never writes through them, and starts from what they read', async () => {
    const config = exampleConfig();
    const reads: string[] = [];
    const writes: string[] = [];
    // db-readers already has 3 readers in the "real" cloud; every other target reads its baseline.
    const real: ActuatorRegistry = () => ({
      read: async (t) => {
        reads.push(t.id);
        return { value: t.id === 'db-readers' ? 3 : (t.baseline ?? t.bounds.min) };
      },
      apply: async (t) => {
        writes.push(t.id);
        throw new Error('a rehearsal must not write');
      },
    });
    const r = await rehearse({
      config,
      campaign: 'black-friday-tv',
      now: new Date('2026-11-27T19:20:00Z'),
      seedFrom: real,
    });
    expect(reads.sort()).toEqual(config.targets.map((t) => t.id).sort());
    expect(writes).toEqual([]);
    expect(r.seeded).toBe(true);
    const readers = r.layers.find((l) => l.target === 'db-readers')!;
    // Three readers cover the campaign: ready from the start of the rehearsal, no step taken.
    expect(readers).toMatchObject({ status: 'ready', from: 3, minutes: 35, readyAt: '2026-11-27T19:20:00Z' });
    expect(r.timeline.filter((e) => e.kind === 'step' && e.target === 'db-readers' && e.to! > 3)).toEqual([]);
    // The other layers moved on the simulation, and the simulation came back down after the campaign.
    expect(r.timeline.some((e) => e.kind === 'step' && e.target === 'api')).toBe(true);
    const api = r.layers.find((l) => l.target === 'api')!;
    expect(Date.parse(api.revertedAt!)).toBeGreaterThan(Date.parse(api.readyAt!));
  });
});
