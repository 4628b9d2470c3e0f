import type { FullPlan } from './plan.ts';

/** The Plan object of CONTRACTS.md: the planner's working fields stay internal. */
export function planJson(p: FullPlan) {
  return {
    at: p.at,
    targets: p.targets.map(
      ({ campaigns: _c, approved: _a, advice: _f, dueLater: _l, connections: _n, waitsFor: _w, ...t }) => t,
    ),
  };
}

export function formatPlanTable(p: FullPlan): string {
  const rows = [['TARGET', 'KIND', 'ACTUAL', 'DESIRED', 'DECISION', 'NEXT STEP', 'WHY']];
  for (const t of p.targets) {
    const s = t.steps[0];
    rows.push([
      t.id,
      t.kind,
      String(t.actual ?? '?'),
      String(t.desired ?? '?'),
      t.decision,
      s
        ? `${Object.entries(s.set)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')} at ${s.at}`
        : '-',
      t.reasons[0] ?? '',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.min(48, Math.max(...rows.map((r) => r[i]!.length))));
  return [
    `plan at ${p.at}`,
    ...rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')),
  ].join('\n');
}
