import type { Config } from '../config/types.ts';
import type { DemandSignal, DemandView, SloDecision } from '../domain/types.ts';
import { toPerSecond } from '../domain/types.ts';
import type { DemandContext, DemandProvider } from '../ports/demand.ts';
import { type Logger, silentLogger } from '../ports/logger.ts';
import { type MetricSource, stepOf } from '../ports/metrics.ts';
import { type FittedForecaster, fitForecaster, predict } from './forecaster.ts';
import { ForecastHistory } from './history.ts';
import { SLO_RETUNE_SECONDS, sloChoices, sloDecision, sloEntries } from './slo-decisions.ts';
import type { SloChoice } from './slo-tuning.ts';

export interface ForecastDemandProviderOptions {
  metrics: MetricSource;
  /** History read and fitted per signal (default 14 days, the most CloudWatch keeps at 1-minute). */
  historySeconds?: number;
  /**
   * How often a signal's forecast is refreshed (default 60 s: every reconcile): the rows since
   * the last refresh are read, added to the kept history, and the forecast re-run with the
   * fitted model (tens of microseconds: O(horizon x cycles), see history.ts). Between
   * refreshes `demand()` serves the cached view and reads nothing.
   */
  refitSeconds?: number;
  /**
   * How often the model itself is re-chosen and its intervals re-estimated from the whole
   * history (default 6 h; the costly part, well under 200 ms for 14 days of 1-minute data).
   */
  reselectSeconds?: number;
  /** Step asked of sources that have no natural step (CloudWatch period, Prometheus step); default 60 s. */
  stepSeconds?: number;
  logger?: Logger;
}

interface SignalState {
  /** The signal's configuration, to notice a change. */
  key: string;
  /** The rows read so far, on their grid (created at the first read). */
  history?: ForecastHistory;
  fitted?: FittedForecaster;
  fittedAt: number;
  refreshedAt: number;
  excludeKey: string;
  view?: DemandView;
  /** The view covers forecasts up to here (epoch ms). */
  coveredUntil: number;
  /** The SLO choices of the signal's predictive targets, when made and for which config. */
  slo?: {
    at: number;
    key: string;
    decisions: Record<string, SloDecision>;
    choices: Record<string, SloChoice>;
  };
}

const DEFAULT_QUANTILE = 0.95;
/** A failed signal is retried after this long (the source is not hammered every reconcile). */
const RETRY_MS = 60_000;
/** Rows re-read before the last one on each refresh: sources revise their latest values. */
const OVERLAP_STEPS = 5;

/**
 * Demand views from metric history and the forecaster, per signal that a capacity model or a
 * predictive entry uses. Fits are cached per signal: a reconcile every minute for a month costs
 * one model choice every `reselectSeconds`, one cheap refresh every `refitSeconds`, and
 * otherwise a cache hit. A failing source or a history too short to fit leaves that signal out
 * (callers fall back to the configured baseline) and is logged; nothing is thrown.
 */
export class ForecastDemandProvider implements DemandProvider {
  private readonly metrics: MetricSource;
  private readonly historySeconds: number;
  private readonly refitSeconds: number;
  private readonly reselectSeconds: number;
  private readonly stepSeconds: number;
  private readonly log: Logger;
  private readonly states = new Map<string, SignalState>();
  private readonly failures = new Map<string, { at: number; message: string }>();
  /** What the cache saved: model fits, forecast refreshes and metric reads so far. */
  readonly stats = { fits: 0, refreshes: 0, reads: 0 };

  constructor(opts: ForecastDemandProviderOptions) {
    this.metrics = opts.metrics;
    this.historySeconds = opts.historySeconds ?? 14 * 86_400;
    this.refitSeconds = opts.refitSeconds ?? 60;
    this.reselectSeconds = Math.max(this.refitSeconds, opts.reselectSeconds ?? 6 * 3600);
    this.stepSeconds = opts.stepSeconds ?? 60;
    this.log = opts.logger ?? silentLogger;
  }

  async demand(
    config: Config,
    now: Date,
    until: Date,
    context: DemandContext = {},
  ): Promise<Record<string, DemandView>> {
    const out: Record<string, DemandView> = {};
    const names = signalsInUse(config);
    const views = await Promise.all(
      names.map(async (name) => {
        const signal = config.signals[name];
        if (!signal) return undefined;
        const failed = this.failures.get(name);
        if (failed && now.getTime() - failed.at < RETRY_MS && failed.at <= now.getTime())
          return this.stale(name, now);
        try {
          const view = await this.viewFor(config, signal, now.getTime(), until.getTime(), context);
          if (failed) {
            this.failures.delete(name);
            this.log.info(`forecast for signal ${name} available again`, { signal: name });
          }
          return view;
        } catch (err) {
          const message = (err as Error).message;
          // One line per new problem, not one per reconcile.
          if (failed?.message !== message)
            this.log.warn(`forecast for signal ${name} unavailable: ${message}`, {
              signal: name,
              error: (err as Error).name,
            });
          this.failures.set(name, { at: now.getTime(), message });
          return this.stale(name, now);
        }
      }),
    );
    names.forEach((name, i) => {
      const v = views[i];
      if (v) out[name] = v;
    });
    return out;
  }

  /** The last good view while it still covers `now`, else nothing (callers use the baseline). */
  private stale(name: string, now: Date): DemandView | undefined {
    const s = this.states.get(name);
    return s?.view && s.coveredUntil > now.getTime() ? s.view : undefined;
  }

  private async viewFor(
    config: Config,
    signal: DemandSignal,
    now: number,
    until: number,
    context: DemandContext,
  ): Promise<DemandView> {
    const key = JSON.stringify([signal.source, signal.unit, signal.spec]);
    let s = this.states.get(signal.name);
    if (!s || s.key !== key || now < s.refreshedAt) {
      s = {
        key,
        fittedAt: Number.NEGATIVE_INFINITY,
        refreshedAt: Number.NEGATIVE_INFINITY,
        excludeKey: '',
        coveredUntil: Number.NEGATIVE_INFINITY,
      };
      this.states.set(signal.name, s);
    }
    const exclude = (context.exclude ?? []).filter((w) => w.from < now);
    const excludeKey = JSON.stringify(exclude);
    const horizon = horizonFor(config, signal.name);
    const want = Math.max(until, now + horizon * 1000);
    const fresh = now - s.refreshedAt < this.refitSeconds * 1000;
    if (s.view && fresh && s.excludeKey === excludeKey && s.coveredUntil >= want) return s.view;

    const history = await this.readHistory(signal, s, now);
    history.setExclusions(exclude);
    history.commit();
    // The view must last until the next refresh: forecast that much further.
    const coverSeconds = (want - now) / 1000 + this.refitSeconds;
    if (!s.fitted || now - s.fittedAt >= this.reselectSeconds * 1000 || s.excludeKey !== excludeKey) {
      // Calibrated for every horizon the view covers, chosen where the floors are decided.
      s.fitted = fitForecaster(
        history.grid(),
        Math.max(horizon, this.refitSeconds),
        decisionHorizonFor(config, signal.name),
      );
      s.fittedAt = now;
      this.stats.fits++;
    }
    const quantiles = quantilesFor(config, signal.name);
    const q = quantiles[0]!;
    const points = predict(s.fitted, history, now, coverSeconds, q);
    const step = history.stepSeconds;
    const perSecond = (x: number) => toPerSecond(signal, x, step);
    const slo = this.sloFor(config, signal.name, s, history, now, perSecond);
    const view: DemandView = {
      signal: signal.name,
      points: points.map((p) => ({
        t: p.t,
        value: perSecond(p.value),
        lower: perSecond(p.lower),
        upper: perSecond(p.upper),
      })),
      stepSeconds: step,
      quantile: q,
      model: s.fitted.description,
    };
    const chosen = Object.values(slo ?? {}).flatMap((d) => (d.quantile === null ? [] : [d.quantile]));
    const others = [...new Set([...quantiles.slice(1), ...chosen])].filter((x) => x !== q);
    if (slo) view.slo = slo;
    if (others.length > 0) {
      view.upperByQuantile = {};
      for (const other of others)
        view.upperByQuantile[String(other)] = predict(s.fitted, history, now, coverSeconds, other).map((p) =>
          perSecond(p.upper),
        );
    }
    if (history.last >= history.first) view.observedPerSecond = perSecond(history.rawAt(history.last));
    const newest = history.lastRowTime;
    if (newest !== undefined)
      view.latest = { t: newest, perSecond: perSecond(history.rawAt(history.slotOf(newest))) };
    s.view = view;
    this.stats.refreshes++;
    s.refreshedAt = now;
    s.excludeKey = excludeKey;
    s.coveredUntil = now + coverSeconds * 1000;
    return view;
  }

  /**
   * The SLO choices of the signal's predictive targets: made again once a day (a self-backtest
   * forecasts every slot of the last week as its reconcile did: ~130 ms for a week of 1-minute
   * data, then 10-20 ms a day, the earlier days' scores being kept), or when their config
   * changes; undefined without an SLO.
   */
  private sloFor(
    config: Config,
    signal: string,
    s: SignalState,
    history: ForecastHistory,
    now: number,
    perSecond: (x: number) => number,
  ): Record<string, SloDecision> | undefined {
    const entries = sloEntries(config, signal);
    if (entries.length === 0 || !s.fitted) return undefined;
    const key = JSON.stringify([
      entries,
      config.targets.filter((t) => entries.some((p) => p.target === t.id)),
    ]);
    const kept = s.slo;
    if (kept && kept.key === key && now - kept.at < SLO_RETUNE_SECONDS * 1000 && now >= kept.at)
      return kept.decisions;
    // The days scored by earlier choices are kept: only the rows since are scored.
    const previous = kept && kept.key === key && now >= kept.at ? kept.choices : {};
    const choices = sloChoices(config, signal, history.grid(), s.fitted, perSecond, previous);
    const decisions: Record<string, SloDecision> = {};
    for (const [target, choice] of Object.entries(choices)) {
      decisions[target] = sloDecision(choice, now);
      this.log.info(`SLO for ${target} on ${signal}: ${choice.reason}`, { signal, target });
    }
    // A fallback is tried again at the next model choice, not a day later.
    const retry = Object.values(decisions).some((d) => d.fallback);
    s.slo = {
      at: retry ? now - SLO_RETUNE_SECONDS * 1000 + this.reselectSeconds * 1000 : now,
      key,
      decisions,
      choices,
    };
    return decisions;
  }

  /**
   * Reads the whole history once, then only the rows since the last one (with a small
   * overlap, since sources revise their latest values) into the signal's kept history. Rows
   * whose interval has not ended by `now` are partial counts and are left out.
   */
  private async readHistory(signal: DemandSignal, s: SignalState, now: number): Promise<ForecastHistory> {
    const earliest = now - this.historySeconds * 1000;
    const known = s.history;
    const lastT = known?.lastRowTime;
    const from =
      known && lastT !== undefined && lastT >= earliest
        ? lastT - OVERLAP_STEPS * known.stepSeconds * 1000
        : earliest;
    this.stats.reads++;
    const got = await this.metrics.history(signal, {
      from: new Date(from),
      to: new Date(now),
      stepSeconds: known?.stepSeconds || this.stepSeconds,
    });
    const step = got.stepSeconds > 0 ? got.stepSeconds : known?.stepSeconds || stepOf(got);
    let h = known && known.stepSeconds === step ? known : undefined;
    // Keep the rows before the re-read window, replace the rest with what the source says now.
    h?.truncateFrom(from);
    h?.dropBefore(earliest);
    let newest = h?.lastRowTime ?? Number.NEGATIVE_INFINITY;
    for (let i = 0; i < got.t.length; i++) {
      const at = got.t[i]!;
      if (at < from || at + step * 1000 > now || at <= newest) continue;
      h ??= new ForecastHistory({
        anchor: at,
        stepSeconds: step,
        windowSlots: Math.ceil(this.historySeconds / step),
      });
      h.put(at, got.v[i]!);
      newest = at;
    }
    h ??= new ForecastHistory({
      anchor: now,
      stepSeconds: step,
      windowSlots: Math.ceil(this.historySeconds / step),
    });
    s.history = h;
    return h;
  }
}

/** Signals that a capacity model or a predictive entry reads. */
export function signalsInUse(config: Config): string[] {
  const names = new Set<string>();
  for (const p of config.predictive) names.add(p.signal);
  for (const t of config.targets) if (t.capacity) names.add(t.capacity.signal);
  return [...names].filter((n) => config.signals[n]);
}

/** The configured quantiles of a signal, highest first (the view's `upper` uses the highest). */
export function quantilesFor(config: Config, signal: string): number[] {
  const qs = [...new Set(config.predictive.filter((p) => p.signal === signal).map((p) => p.quantile))];
  return qs.length > 0 ? qs.sort((a, b) => b - a) : [DEFAULT_QUANTILE];
}

/**
 * How far ahead a signal's forecast decides floors (seconds): the longest lead time plus
 * margin of its predictive targets, plus one reconcile (the floor set now holds until the
 * next one), within the predictive horizon. A floor for later is decided again by a later
 * reconcile with a fresher forecast. Undefined without predictive entries (campaign windows
 * are read over the whole horizon).
 */
export function decisionHorizonFor(config: Config, signal: string): number | undefined {
  const entries = config.predictive.filter((p) => p.signal === signal);
  if (entries.length === 0) return undefined;
  let lead = 0;
  for (const p of entries) {
    const t = config.targets.find((x) => x.id === p.target);
    if (t) lead = Math.max(lead, t.leadTimeSeconds + t.marginSeconds);
  }
  return Math.min(horizonFor(config, signal), lead + config.defaults.reconcileIntervalSeconds);
}

/** The longest predictive horizon of a signal (seconds), else 2 h. */
export function horizonFor(config: Config, signal: string): number {
  const hs = config.predictive.filter((p) => p.signal === signal).map((p) => p.horizonSeconds);
  return hs.length > 0 ? Math.max(...hs) : 7200;
}
