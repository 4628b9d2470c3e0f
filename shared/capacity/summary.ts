import type { Notifier } from '../ports/notifier.ts';
import { describeAction } from './recommend.ts';
import { type CapacityReport, capacityReview, type MeasureReport, type ReviewInputs } from './review.ts';

/** The review as text: the CLI's table and the monthly Slack post share these lines. */

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '?');

/** "db CPU: 51.2 % now, +1.00 %/day, crosses 70 % on 2027-01-05 (2026-12-30 to 2027-01-12)". */
export function measureLine(m: MeasureReport): string {
  const name = `${m.target} ${m.label}`;
  if (m.status === 'not-measured' || m.status === 'no-data')
    return `${name}: not assessed, ${m.note ?? m.status}`;
  const now = `${m.latest!.percent.toFixed(1)} % now, ${m.trend!.perDayText}`;
  if (m.status === 'ok') return `${name}: ${now}, stays under ${m.threshold} % for the horizon`;
  const c = m.crossing!;
  const when =
    m.status === 'over'
      ? `is over ${m.threshold} % now`
      : c.at
        ? `crosses ${m.threshold} % on ${day(c.at)} (${day(c.earliest)} to ${c.latest ? day(c.latest) : 'after the horizon'})`
        : `may cross ${m.threshold} % from ${day(c.earliest)}`;
  const act = m.action
    ? ` → ${describeAction(m.action)}, start by ${day(m.action.actBy)}${currentText(m)}`
    : '';
  return `${name}: ${now}, ${when}${act}`;
}

/** "db.r6g.xlarge (aws)", "2 replicas (assumed, not read)": what a measure's action starts from. */
export function formatCurrent(m: MeasureReport): string {
  const c = m.current;
  if (!c) return '';
  const value = typeof c.value === 'number' ? `${c.value} ${c.unit}` : c.value;
  return `${value} (${c.source}${c.error ? ', not read' : ''})`;
}

const currentText = (m: MeasureReport) => (m.current ? `; current: ${formatCurrent(m)}` : '');

export function formatCapacity(r: CapacityReport): string {
  const head = `capacity review at ${r.at}: ${r.windowDays}-day trend, ${r.horizonDays}-day projection (${Math.round(r.interval * 100)} % interval)`;
  return [head, ...r.measures.map((m) => `  ${measureLine(m)}`)].join('\n');
}

/** The monthly post: the measures that cross within the horizon first, the rest counted. */
export function capacitySummary(r: CapacityReport): string {
  const due = r.measures.filter((m) => m.status === 'over' || m.status === 'crosses');
  const ok = r.measures.filter((m) => m.status === 'ok').length;
  const unassessed = r.measures.length - due.length - ok;
  const lines = [
    `Monthly capacity review (${day(r.at)}): ${due.length ? `${due.length} measure${due.length > 1 ? 's cross their thresholds' : ' crosses its threshold'} within ${r.horizonDays} days` : `nothing crosses its threshold within ${r.horizonDays} days`}.`,
    ...due.map((m) => `• ${measureLine(m)}`),
    `${ok} within limits${unassessed ? `, ${unassessed} not assessed (see headroom capacity)` : ''}.`,
    ...r.warnings.map((w) => `⚠ ${w}`),
  ];
  return lines.join('\n');
}

/** The scheduled monthly report: run the review, post the summary through the notifier. */
export async function postCapacityReview(inputs: ReviewInputs, notifier: Notifier): Promise<CapacityReport> {
  const report = await capacityReview(inputs);
  await notifier.notify({
    kind: 'capacity-review',
    text: capacitySummary(report),
    details: {
      crossing: report.measures
        .filter((m) => m.status === 'over' || m.status === 'crosses')
        .map((m) => ({ target: m.target, measure: m.measure, at: m.crossing?.at, action: m.action?.text })),
    },
  });
  return report;
}
