import type { SloSpec } from '../config/types.ts';
import type { SloChoice } from './slo-tuning.ts';

/** One predictive target's curve and choice, as `headroom tune` prints it. */
export interface TuneResult extends SloChoice {
  target: string;
  slo: SloSpec;
  /** Whether the SLO is the entry's own (else `--slo` or the default). */
  configured: boolean;
  model: string;
}

const label = (q: number | null) => (q === null ? 'no floors' : `p${Number((q * 100).toFixed(1))}`);

/** The curves as a table per target, the chosen point marked. */
export function formatTune(signal: string, results: TuneResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const cap = r.slo.maxCostVsOracle ? `, cost at most ${r.slo.maxCostVsOracle}x the oracle` : '';
    lines.push(
      `${signal} -> ${r.target}: SLO ${r.slo.maxShortMinutesPercent}% of minutes short${cap}${r.configured ? '' : ' (not in the config)'}`,
    );
    if (r.fallback) {
      lines.push(`  ${r.reason}`, '');
      continue;
    }
    lines.push(`  self-backtest ${r.from} .. ${r.to}, ${r.minutes} minutes, model ${r.model}`);
    lines.push(`  ${'floors'.padEnd(10)} ${'short min %'.padStart(11)} ${'cost vs oracle'.padStart(14)}`);
    for (const p of r.curve) {
      const mark = p.quantile === r.quantile ? '  <- chosen' : '';
      lines.push(
        `  ${label(p.quantile).padEnd(10)} ${p.shortMinutesPercent.toFixed(3).padStart(11)} ${p.costVsOracle.toFixed(3).padStart(14)}${mark}`,
      );
    }
    lines.push(`  chosen: ${r.reason}`, '');
  }
  return lines.join('\n').trimEnd();
}
