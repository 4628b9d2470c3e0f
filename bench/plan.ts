import { performance } from 'node:perf_hooks';
import { campaignIntents } from '../shared/campaigns/campaigns.ts';
import { parseConfig } from '../shared/config/load.ts';
import type { Config } from '../shared/config/types.ts';
import type { Actual, DemandView, Intent, PlannerState } from '../shared/domain/types.ts';
import { plan } from '../shared/planner/plan.ts';
import { cronIntents, matchingRules } from '../shared/rules/rules.ts';

const KINDS = [
  'k8s-hpa',
  'keda-scaledobject',
  'k8s-deployment',
  'rds-read-replicas',
  'elasticache-replication-group',
  'rds-instance',
];

/** A large synthetic configuration: `n` targets, `r` rules, `c` campaigns, as YAML through the real loader. */
export function syntheticConfig(n: number, r: number, c: number): Config {
  const lines = [
    'version: 1',
    'timezone: Europe/Berlin',
    'clusters: { prod: { eksCluster: prod, region: eu-central-1 } }',
    'signals: { traffic: { source: sim, unit: perSecond, baseline: 400 } }',
    'targets:',
  ];
  for (let i = 0; i < n; i++) {
    const kind = KINDS[i % KINDS.length]!;
    const dep = i >= KINDS.length && i % 7 === 0 ? `, dependsOn: [t${i - KINDS.length}]` : '';
    if (kind === 'rds-instance')
      lines.push(
        `  t${i}: { kind: rds-instance, identifier: db${i}, tiers: [db.r6g.large, db.r6g.xlarge, db.r6g.2xlarge], leadTime: 30m${dep} }`,
      );
    else if (kind === 'rds-read-replicas')
      lines.push(
        `  t${i}: { kind: rds-read-replicas, source: db${i}, instanceClass: db.r6g.large, bounds: { min: 1, max: 5 }, capacity: { signal: traffic, perUnit: 2000, targetUtilization: 0.6 }${dep} }`,
      );
    else if (kind === 'elasticache-replication-group')
      lines.push(
        `  t${i}: { kind: elasticache-replication-group, replicationGroupId: rg${i}, replicas: { min: 1, max: 5 }${dep} }`,
      );
    else
      lines.push(
        `  t${i}: { kind: ${kind}, cluster: prod, namespace: ns, name: w${i}, bounds: { min: 2, max: 100 }, capacity: { signal: traffic, perUnit: 100, targetUtilization: 0.7 }${dep} }`,
      );
  }
  lines.push('rules:');
  for (let i = 0; i < r; i++) {
    const t = `t${i % n}`;
    if (i % 10 === 0)
      lines.push(
        `  - { name: cron-${i}, when: { cron: "${i % 60} ${i % 24} * * 1-5" }, then: { target: ${t}, floor: 3, for: 1h } }`,
      );
    else if (i % 2 === 0)
      lines.push(
        `  - { name: alarm-${i}, when: { alarm: "svc-${i}-*", state: ALARM }, then: { target: ${t}, raise: 50%, for: 30m } }`,
      );
    else
      lines.push(
        `  - { name: alert-${i}, when: { alert: { alertname: A${i}, severity: "=~crit.*" } }, then: { target: ${t}, raise: 1, for: 1h } }`,
      );
  }
  lines.push('campaigns:');
  for (let i = 0; i < c; i++) {
    const start = new Date(Date.parse('2026-11-27T08:00:00Z') + i * 3600_000).toISOString();
    const targets = Array.from({ length: 20 }, (_, k) => `t${(i * 20 + k) % n}`).join(', ');
    lines.push(
      `  - { name: c${i}, start: "${start}", duration: 2h, multiplier: ${5 + (i % 10)}, targets: [${targets}] }`,
    );
  }
  return parseConfig(lines.join('\n'));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Latency of one full plan (cron, campaign and stored intents, then the planner) for a large config. */
export async function benchPlan(iterations = 300) {
  const config = syntheticConfig(500, 2000, 100);
  const now = new Date('2026-11-28T10:30:00Z');
  const actuals: Record<string, Actual> = Object.fromEntries(
    config.targets.map((t) => [t.id, { value: t.bounds.min }]),
  );
  const state: PlannerState = { targets: {}, approvals: {} };
  const points = Array.from({ length: 24 * 12 }, (_, k) => ({
    t: now.getTime() + k * 300_000,
    value: 300,
    lower: 250,
    upper: 350,
  }));
  const demand: Record<string, DemandView> = {
    traffic: {
      signal: 'traffic',
      points,
      stepSeconds: 300,
      quantile: 0.9,
      model: 'bench',
      observedPerSecond: 300,
    },
  };
  const stored: Intent[] = config.targets.slice(0, 200).map((t, i) => ({
    id: `s${i}`,
    target: t.id,
    floor: t.bounds.min + 1,
    from: now.toISOString(),
    until: new Date(now.getTime() + 3600_000).toISOString(),
    reason: 'bench',
    source: { kind: 'alarm', ref: `a${i}` },
    createdAt: now.toISOString(),
  }));
  const baseline = (t: { id: string }) => actuals[t.id]!.value;
  // Each plan is 30 s after the previous one, as consecutive reconciles are.
  let tick = 0;
  const once = () => {
    const at = new Date(now.getTime() + tick++ * 30_000);
    const intents = [
      ...stored,
      ...cronIntents(config, at, baseline),
      ...campaignIntents(config.campaigns, { config, baseline, actuals, demand, now: at }),
    ];
    return plan(config, intents, actuals, state, at);
  };
  for (let i = 0; i < 20; i++) once();
  const times: number[] = [];
  let steps = 0;
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const p = once();
    times.push(performance.now() - t0);
    steps = p.targets.reduce((a, t) => a + t.steps.length, 0);
  }
  times.sort((a, b) => a - b);
  // Rule matching for one alarm over 2,000 rules.
  const m0 = performance.now();
  for (let i = 0; i < 1000; i++)
    matchingRules(config, { kind: 'alarm', name: 'svc-42-cpu', state: 'ALARM', id: String(i) });
  const matchMs = (performance.now() - m0) / 1000;
  return {
    targets: config.targets.length,
    rules: config.rules.length,
    campaigns: config.campaigns.length,
    iterations,
    planMs: {
      p50: percentile(times, 50),
      p90: percentile(times, 90),
      p99: percentile(times, 99),
      max: times.at(-1),
    },
    targetP99Ms: 20,
    meetsTarget: percentile(times, 99) <= 20,
    stepsPlanned: steps,
    matchOneAlarmMs: matchMs,
  };
}
