import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchPlan } from './plan.ts';

/**
 * `npm run bench`: measures the speed and memory targets of the issues and writes JSON to
 * bench/results/. Each part is optional so a missing part never hides the others' numbers.
 */
const out = path.resolve(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });

type Part = { name: string; run: () => Promise<unknown> };
const parts: Part[] = [{ name: 'plan', run: () => benchPlan() }];
for (const [name, file, fn] of [
  ['forecast', './forecast.ts', 'benchForecast'],
  ['forecast-skill', './forecast-skill.ts', 'benchForecastSkill'],
  ['functions', './functions.ts', 'benchFunctions'],
  ['backtest', './backtest.ts', 'benchBacktest'],
  ['triggers', './triggers.ts', 'benchTriggers'],
  ['scale', './scale.ts', 'benchScale'],
  ['surge', './surge.ts', 'benchSurge'],
] as const) {
  parts.push({
    name,
    run: async () => {
      const mod = (await import(file)) as Record<string, () => Promise<unknown>>;
      return mod[fn]!();
    },
  });
}

const only = process.argv.slice(2);
const summary: Record<string, unknown> = { at: new Date().toISOString(), node: process.version };
let failed = false;
for (const part of parts) {
  if (only.length && !only.includes(part.name)) continue;
  const t0 = Date.now();
  try {
    const result = await part.run();
    writeFileSync(path.join(out, `${part.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    summary[part.name] = { ok: true, seconds: (Date.now() - t0) / 1000 };
    console.log(`${part.name}: ${JSON.stringify(result).slice(0, 400)}`);
  } catch (err) {
    failed = true;
    summary[part.name] = { ok: false, error: (err as Error).message };
    console.error(`${part.name}: failed: ${(err as Error).message}`);
  }
}
writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
process.exitCode = failed ? 1 : 0;
