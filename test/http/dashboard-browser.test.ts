import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../shared/adapters/state/sqlite.ts';
import { type DevServer, startDevServer } from '../../shared/http/dev-server.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { EXAMPLE_CONFIG, simBrain } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
/** A quiet Wednesday morning, two days before the example campaign; the brain's clock stands still there. */
const AT = '2026-11-25T10:00:00Z';
const APPROVER = 'U024BE7LH';

describe('Dashboard in headless Chromium: the page of headroom dev', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'headroom-dashboard-'));
  const store = openSqliteStateStore(path.join(dir, 'state.db'));
  const world = simBrain({ at: AT, store });
  let server: DevServer;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  let navigations = 0;

  beforeAll(async () => {
    server = await startDevServer(world.brain, { port: 0 }, { clock: world.clock, logger: silentLogger });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    await page.goto(`${server.url}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store.close();
  });

  it('renders every target with actual, desired, decision and reasons, the timeline and the forecast charts', async () => {
    await page.locator('#targets tbody tr').nth(6).waitFor();
    expect(await page.locator('#targets tbody tr').count()).toBe(7);
    const api = page.locator('#targets tr[data-target="api"]');
    expect(await api.locator('th').textContent()).toBe('api');
    // What the brain says (the next weekday-morning floor is already staged), as the page shows it.
    const snap = (await world.brain.snapshot()).targets.find((t) => t.id === 'api')!;
    expect(snap).toMatchObject({ actual: 3, ready: 3, desired: 8, decision: 'wait' });
    const cells = await api.locator('td').allTextContents();
    expect(cells.slice(0, 5)).toEqual(['k8s-hpa', '3', '3', '8', 'wait']);
    expect(await api.locator('td.reasons li').allTextContents()).toEqual(snap.reasons);
    expect(cells[6]).toBe(`minReplicas 8 at ${snap.steps[0]!.at.replace('T', ' ')}`);
    const db = await page.locator('#targets tr[data-target="db"] td').allTextContents();
    expect(db.slice(1, 4)).toEqual(['db.r6g.large', 'db.r6g.large', 'db.r6g.large']);
    expect(await page.locator('.tl-row').count()).toBe(7);
    // Charts for the two targets sized from the traffic signal: api and db-readers.
    await page.locator('body[data-charts="2"]').waitFor();
    expect(await page.locator('figure.chart figcaption strong').allTextContents()).toEqual([
      'api',
      'db-readers',
    ]);
    expect(await page.locator('#status').textContent()).toContain(`Brain time ${AT} · updated`);
  });

  it('shows a campaign added with `headroom campaign add` without a reload: reasons, staged steps, its window', async () => {
    const start = '2026-11-25T12:00:00Z';
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'campaign',
        'add',
        'promo',
        '--start',
        start,
        '--duration',
        '2h',
        '--multiplier',
        'x6',
        '--targets',
        'api,workers',
        '--config',
        EXAMPLE_CONFIG,
        '--state',
        dir,
      ],
      { encoding: 'utf8', env: { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: AT }, timeout: 30_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const api = page.locator('#targets tr[data-target="api"]', {
      hasText: 'campaign promo x6 starts 2026-11-25T12:00:00Z',
    });
    await api.waitFor({ timeout: 20_000 });
    expect(await api.locator('td').nth(4).textContent()).toBe('wait');
    // The staged step and the campaign window are drawn on the api layer, and listed as text.
    const layer = page.locator('.tl-row[data-target="api"]');
    expect(await layer.locator('rect.campaign title', { hasText: 'campaign promo x6' }).count()).toBe(1);
    expect(await layer.locator('rect.staged').count()).toBeGreaterThan(0);
    expect(
      await layer.locator('ul li', { hasText: 'campaign 2026-11-25 12:00 to 2026-11-25 14:00' }).count(),
    ).toBe(1);
    await page.locator('#audit tr[data-action="campaign-added"]').waitFor();
    expect(navigations).toBe(1);
  });

  it('approves a step that needs approval from the keyboard, and the step runs', async () => {
    await world.brain.requestFloor({
      target: 'db',
      floor: 'db.r6g.xlarge',
      forSeconds: 7200,
      reason: 'load test',
      source: { kind: 'cli', ref: 'test' },
    });
    const item = page.locator('#approvals li', { hasText: 'db: db.r6g.large to db.r6g.xlarge' });
    await item.waitFor({ timeout: 20_000 });
    const stepId = await item.getAttribute('data-step');
    expect(await page.locator('#approver').inputValue()).toBe(APPROVER);
    await item.getByRole('button', { name: `Approve step ${stepId}` }).focus();
    await page.keyboard.press('Enter');
    await page
      .locator('#decide-result', { hasText: `Step ${stepId} approved by ${APPROVER} (executed)` })
      .waitFor();
    await page.locator('#approvals', { hasText: 'No step is waiting for approval.' }).waitFor();
    const audit = await world.brain.audit();
    expect(audit.find((a) => a.action === 'approval')).toMatchObject({
      stepId,
      actor: `dashboard:${APPROVER}`,
    });
    expect(audit.find((a) => a.action === 'step-executed' && a.target === 'db')).toMatchObject({ stepId });
    await page.locator('#audit tr[data-action="approval"]', { hasText: `dashboard:${APPROVER}` }).waitFor();
  });

  it('filters the audit log by action', async () => {
    await page.locator('#audit-filters select[name="action"]').selectOption('campaign-added');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#audit tbody tr[data-action="approval"]').waitFor({ state: 'detached' });
    expect(
      await page
        .locator('#audit tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))),
    ).toEqual(['campaign-added']);
  });

  it('made no request outside the server it was served from', () => {
    const origin = new URL(server.url).origin;
    expect(requests.length).toBeGreaterThan(10);
    const foreign = requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
    expect(foreign).toEqual([]);
    expect(requests).toContain(`${origin}/dashboard/uPlot.esm.js`);
  });
});

describe('Dashboard in headless Chromium: behind a token (as deployed)', () => {
  const TOKEN = 'browser-token-4d2a91';
  const world = simBrain({ at: AT });
  let server: DevServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startDevServer(
      world.brain,
      { port: 0 },
      { clock: world.clock, logger: silentLogger, dashboardToken: TOKEN },
    );
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks for the token (401), refuses a wrong one, and opens the dashboard with the right one', async () => {
    const page = await browser.newPage();
    const first = await page.goto(`${server.url}/`);
    expect(first?.status()).toBe(401);
    await page.getByLabel('Dashboard token').fill('wrong');
    await page.keyboard.press('Enter');
    await page.locator('#login-error', { hasText: 'token: not the dashboard token' }).waitFor();
    await page.getByLabel('Dashboard token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#targets tbody tr').nth(6).waitFor();
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([
      ['headroom_dashboard', true, 'Strict'],
    ]);
    expect(cookies[0]!.value).not.toContain(TOKEN);
  });
});
