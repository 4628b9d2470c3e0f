import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { launchChromium, offlinePage } from '../helpers/chromium.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';
import { exampleDocument } from './config.ts';
import { growingSeries, writeSeries } from './series.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'headroom-capacity-cli-'));
const cpu = writeSeries(dir, 'db-cpu.csv', growingSeries({ level: 50, growth: 0.01 }));
const memory = writeSeries(dir, 'cache-memory.csv', growingSeries({ level: 35, growth: 0.002 }));

function headroom(...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'capacity', ...args], {
    encoding: 'utf8',
    env: { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: '' },
  });
}
const REVIEW = [
  '--config',
  EXAMPLE_CONFIG,
  '--now',
  '2026-12-01T00:00:00Z',
  '--trace',
  `db.cpu=${cpu}`,
  '--trace',
  `cache.memory=${memory}`,
];

describe('Command: headroom capacity', () => {
  const html = path.join(dir, 'capacity.html');
  let browser: Browser;
  let json: any;

  beforeAll(async () => {
    const r = headroom(...REVIEW, '--json', '--out', html);
    expect(r.status, r.stderr).toBe(0);
    json = JSON.parse(r.stdout);
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('prints the review of the example config as JSON, the crossing measure first', () => {
    expect(json).toMatchObject({
      at: '2026-12-01T00:00:00.000Z',
      windowDays: 30,
      horizonDays: 90,
      interval: 0.9,
    });
    expect(json.measures[0]).toMatchObject({
      target: 'db',
      measure: 'cpu',
      status: 'crosses',
      action: {
        kind: 'next-tier',
        text: 'move db from db.r6g.large to db.r6g.xlarge',
        monthlyCostDelta: 190.53,
      },
    });
    expect(json.measures[0].crossing.at.slice(0, 8)).toBe('2026-12-');
    // Redis memory at 38.5 % growing 0.2 %/day stays under 70 % for the 90 days.
    expect(json.measures.find((m: any) => m.measure === 'memory')).toMatchObject({ status: 'ok' });
    expect(json.prices.sourceDate).toBe('2026-12-04');
  });

  it('prints one line per measure without --json', () => {
    const r = headroom(...REVIEW);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'capacity review at 2026-12-01T00:00:00.000Z: 30-day trend, 90-day projection (90 % interval)',
    );
    expect(lines[1]).toMatch(
      /^ {2}db CPU: 54\.\d % now, \+1\.0\d %\/day, crosses 70 % on 2026-12-2\d .* → move db from db\.r6g\.large to db\.r6g\.xlarge/,
    );
    expect(lines).toContain(
      '  db storage used: not assessed, needs capacity.targets.db.storage.limit (allocated storage in GiB)',
    );
  });

  it('shows the crossing date, the action and a chart per measure in the HTML report, offline', async () => {
    const { page, requests, errors } = await offlinePage(browser);
    await page.goto(`file://${html}`);
    const cells = await page.$$eval('tr[data-measure="db.cpu"] td', (tds) => tds.map((td) => td.textContent));
    const crossing = json.measures[0].crossing;
    expect(cells.slice(0, 2)).toEqual(['db', 'CPU']);
    expect(cells[5]).toBe(
      `${crossing.at.slice(0, 10)} (${crossing.earliest.slice(0, 10)} to ${crossing.latest.slice(0, 10)})`,
    );
    expect(cells.slice(6, 11)).toEqual([
      'move db from db.r6g.large to db.r6g.xlarge',
      '30m',
      '+$190.53/month',
      json.measures[0].action.actBy.slice(0, 10),
      // Not read (no --cloud aws or --state): the class at bounds.min is assumed.
      'db.r6g.large (assumed)',
    ]);
    expect(await page.$eval('tr[data-measure="db.cpu"]', (tr) => tr.className)).toBe('crosses');
    expect(await page.$eval('p.summary', (p) => p.textContent)).toBe(
      '1 of 6 measures cross their threshold within 90 days.',
    );
    // Two measures with data: two charts drawn by the inlined uPlot.
    expect(await page.$$eval('#charts .chart canvas', (c) => c.length)).toBe(2);
    expect(await page.$$eval('#charts h2', (h) => h.map((e) => e.textContent))).toEqual([
      'db CPU (percent of 100 %)',
      'cache Redis memory (percent of 100 %)',
    ]);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('refuses a bad capacity section or --trace with a clear message and exit 1', () => {
    const doc = exampleDocument();
    doc.capacity = { horizon: '2y', targets: { cache: { ops: { limit: -1 } } } };
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, stringify(doc));
    const r = headroom('--config', bad, '--now', '2026-12-01T00:00:00Z');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'capacity.horizon: "2y" must be a duration from 1d to 366d (e.g. 30d)',
      'capacity.targets.cache.ops.limit: Too small: expected number to be >0',
    ]);
    const t = headroom('--config', EXAMPLE_CONFIG, '--trace', `db.iops=${cpu}`);
    expect(t.status).toBe(1);
    expect(t.stderr.trim()).toBe(
      'error: --trace db.iops=' +
        cpu +
        ': db (rds-instance) has no measure "iops" (cpu, connections, storage)',
    );
    expect(readFileSync(cpu, 'utf8').startsWith('timestamp,value')).toBe(true);
  });
});
