import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, offlinePage } from '../helpers/chromium.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');

describe('Command: headroom rehearse --html, opened in headless Chromium', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'headroom-rehearse-html-'));
  const file = path.join(dir, 'timeline.html');
  let browser: Browser;

  beforeAll(async () => {
    // 19:20Z: 35 minutes before the start, so the database readers are late.
    const r = spawnSync(
      process.execPath,
      [BIN, 'rehearse', 'black-friday-tv', '--config', EXAMPLE_CONFIG, '--html', file],
      {
        encoding: 'utf8',
        env: { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: '2026-11-27T19:20:00Z' },
      },
    );
    expect(r.status, r.stderr).toBe(1);
    browser = await launchChromium();
  });

  afterAll(async () => browser?.close());

  it('draws one row per layer with its lead-time bar, marks the late one, and needs no network', async () => {
    const { page, requests, errors } = await offlinePage(browser, { width: 1100, height: 800 });
    await page.goto(`file://${file}`);
    const layers = await page.$$eval('svg text.layer', (els) => els.map((e) => e.textContent));
    expect(layers).toEqual(['api', 'workers', 'nodes', 'pgbouncer', 'db-readers', 'cache']);
    // A lead-time bar per layer that moved: red for the late readers and cache, and the API that
    // is raised only once the readers it depends on are ready; blue for the others.
    const late = await page.$$eval('rect.lead.late title', (els) => els.map((e) => e.textContent));
    expect(late).toHaveLength(3);
    expect(late[0]).toMatch(/^api: first step 2026-11-27T20:0\d:\d\dZ/);
    expect(late[1]).toMatch(/^db-readers: first step 2026-11-27T19:20:00Z, ready 2026-11-27T20:00:00Z/);
    expect(late[2]).toMatch(/^cache: first step 2026-11-27T19:20:00Z, ready 2026-11-27T20:00:00Z/);
    expect(await page.$$eval('rect.lead.ready', (els) => els.length)).toBe(3);
    const verdicts = await page.$$eval('tr.late td:last-child', (els) => els.map((e) => e.textContent));
    expect(verdicts[0]).toMatch(
      /^late by \d+m \(3 -> \d+\): raised only once db-readers is ready \(dependsOn\)$/,
    );
    expect(verdicts[1]).toMatch(
      /^late by 5m \(1 -> \d\): lead time 40m \+ margin 4m = 44m is longer than the 35m left/,
    );
    const shot = path.join(dir, 'rehearsal.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });
});
