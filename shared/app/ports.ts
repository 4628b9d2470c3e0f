import type { Config } from '../config/types.ts';
import type { Campaign, DemandView, Intent } from '../domain/types.ts';

/** Expected demand per signal for this reconcile (forecasts, or the simulated curves). */
export interface DemandProvider {
  /** `until`: the latest instant the views should cover (upcoming campaign windows). */
  demand(
    config: Config,
    now: Date,
    until: Date,
    context?: DemandContext,
  ): Promise<Record<string, DemandView>>;
}

export interface DemandContext {
  /**
   * Windows (epoch ms) whose history is not baseline demand: campaigns that ran or are running.
   * A forecaster leaves them out, so campaign demand (multiplier x the forecast) is computed
   * from the forecast without the campaign and a surge never compounds into its own floor.
   */
  exclude?: { from: number; to: number }[];
}

/** Turns demand into predictive intents (the forecasting module's `predictiveIntents`). */
export type PredictiveIntents = (config: Config, demand: Record<string, DemandView>, now: Date) => Intent[];

/** One-time wake-ups for campaign phases: EventBridge Scheduler in AWS, a timer in `dev`. */
export interface PhaseScheduler {
  schedule(name: string, at: Date, payload: PhasePayload): Promise<void>;
  cancel(name: string): Promise<void>;
}

export interface PhasePayload {
  kind: 'campaign-phase';
  campaign: string;
  phase: string;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** A campaign's phases: when each target starts to rise, the start, the end and the release. */
export function campaignPhases(config: Config, c: Campaign): { name: string; at: Date; phase: string }[] {
  const start = Date.parse(c.start);
  const end = start + c.durationSeconds * 1000;
  const out = new Map<number, string>();
  for (const id of c.targets) {
    const t = config.targets.find((x) => x.id === id);
    if (!t) continue;
    out.set(start - (t.leadTimeSeconds + t.marginSeconds) * 1000, `raise-${id}`);
    out.set(end + t.scaleDownDelaySeconds * 1000, `release-${id}`);
  }
  out.set(start, 'start');
  out.set(end, 'end');
  return [...out.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([at, phase]) => ({ name: `headroom-${c.name}-${phase}`.slice(0, 64), at: new Date(at), phase }));
}
