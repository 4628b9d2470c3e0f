import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConfig } from '../../shared/backtest/builtin-config.ts';
import { parseCalendar } from '../../shared/backtest/calendar.ts';
import { parseSurge } from '../../shared/backtest/demand.ts';
import { renderReport } from '../../shared/backtest/report/html.ts';
import { type BacktestResult, runBacktest } from '../../shared/backtest/run.ts';
import { cutTrace, loadTrace } from '../../shared/backtest/trace.ts';
import { launchChromium, offlinePage } from '../helpers/chromium.ts';
import { TRACES } from '../helpers/example.ts';

/** Run in the page (the test's TypeScript has no DOM types): the report's script has finished. */
const CHARTS_DRAWN = 'document.body.dataset.charts !== undefined';
/** The part of a canvas element the pixel count reads. */
type Canvas = {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
};
const COLORS = { reactive: [232, 89, 12], headroom: [25, 113, 194], oracle: [47, 158, 68] } as const;

describe('Report: the HTML file opens in headless Chromium and shows its charts', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'headroom-report-'));
  const file = path.join(dir, 'report.html');
  let result: BacktestResult;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    const trace = loadTrace(path.join(TRACES, 'nasa_kennedy_http_1995_per_minute.csv'));
    const from = Date.parse('1995-07-10T00:00:00Z');
    const to = Date.parse('1995-07-13T00:00:00Z');
    const config = builtinConfig(cutTrace(trace, from, to), 'perStep');
    result = await runBacktest({
      trace,
      config,
      from,
      to,
      warmupSeconds: 86_400,
      calendar: parseCalendar(
        '- { name: launch, start: "1995-07-12T15:00:00Z", duration: 1h, multiplier: 5, targets: [api, nodes] }',
        'calendar.yaml',
        config,
      ),
      surges: [parseSurge('1995-07-12T15:00:00Z,1h,x5,2m')],
    });
    writeFileSync(file, renderReport(result.report));
  });

  afterAll(async () => browser?.close());

  it('draws every chart, needs no network, and matches the scores', async () => {
    const { page, requests, errors } = await offlinePage(browser, { width: 1280, height: 900 });
    await page.goto(`file://${file}`);
    await page.waitForFunction(CHARTS_DRAWN);

    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(50_000);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);

    // One overview chart per policy, the cost chart, and close-ups of the worst moments.
    const charts = await page.$$eval('.uplot', (els) =>
      els.map((e) => e.querySelector('.u-title')?.textContent ?? ''),
    );
    expect(charts.filter((t) => t.startsWith('Demand and'))).toHaveLength(3);
    expect(charts).toContain('Provisioned units (the cost)');
    expect(charts.filter((t) => /^#\d: /.test(t)).length).toBeGreaterThan(0);

    // Each policy's line is really drawn in its own chart: count pixels of its colour.
    for (const [policy, rgb] of Object.entries(COLORS)) {
      const pixels = await page.$eval(
        `.chart[data-policy="${policy}"] canvas`,
        (canvas, [r, g, b]) => {
          const c = canvas as unknown as Canvas;
          const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < data.length; i += 4)
            if (
              Math.abs(data[i]! - r) < 30 &&
              Math.abs(data[i + 1]! - g) < 30 &&
              Math.abs(data[i + 2]! - b) < 30
            )
              n++;
          return n;
        },
        rgb,
      );
      expect(pixels, policy).toBeGreaterThan(500);
    }

    // The score table is the JSON, row by row.
    const rows = await page.$$eval('#scores tbody tr', (trs) =>
      trs.map((tr) => [
        tr.getAttribute('data-policy'),
        ...[...tr.querySelectorAll('td')].map((td) => td.textContent),
      ]),
    );
    expect(rows.map((r) => r[0])).toEqual(['reactive', 'headroom', 'oracle']);
    for (const r of rows) {
      const s = result.json.policies[r[0] as 'reactive']!;
      expect(Number(r[1])).toBe(s.underProvisionedMinutes);
      expect(Number(r[3])).toBe(s.capacityUnitHours);
      expect(Number(r[4])).toBe(s.costVsOracle);
    }
    // Headroom's decisions are listed from the audit log.
    expect(await page.$eval('details summary', (e) => e.textContent)).toMatch(
      /Headroom's \d+ executed steps/,
    );
    await page.close();
  });

  it('zooms the overview charts together when one is dragged', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${file}`);
    await page.waitForFunction(CHARTS_DRAWN);
    const over = page.locator('.chart[data-policy="reactive"] .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const ranges = (await page.evaluate(
      "backtestCharts.filter((c) => c.group === 'overview').map((c) => [c.scales.x.min, c.scales.x.max])",
    )) as [number, number][];
    // Three policy charts and the cost chart now show the same, narrower window (about a fifth).
    expect(ranges).toHaveLength(4);
    for (const r of ranges) expect(r).toEqual(ranges[0]);
    const span = result.report.demand.length * 60;
    expect(ranges[0]![1]! - ranges[0]![0]!).toBeLessThan(span * 0.3);
    // A double-click resets the zoom.
    await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
    const reset = (await page.evaluate(
      "backtestCharts.filter((c) => c.group === 'overview').map((c) => c.scales.x.max - c.scales.x.min)",
    )) as number[];
    for (const w of reset) expect(w).toBeGreaterThan(span * 0.9);
    await page.close();
  });
});
