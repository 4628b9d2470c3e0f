import type { AlarmSettings } from '../config/backtest.ts';

/**
 * A CloudWatch metric alarm over the simulated world, so the config's alarm rules fire in a
 * backtest as they would in production: the metric is averaged per `period`, the alarm goes
 * to ALARM after `evaluationPeriods` breaching periods in a row and back to OK after as many
 * that do not breach. It starts in OK.
 */
export class SimAlarm {
  readonly name: string;
  readonly spec: AlarmSettings;
  state: 'OK' | 'ALARM' = 'OK';
  private periodStart = Number.NaN;
  private sum = 0;
  private count = 0;
  private streak = 0;

  constructor(name: string, spec: AlarmSettings) {
    this.name = name;
    this.spec = spec;
  }

  /** Adds a sample at `t`; returns the new state when a period closed and the state changed. */
  sample(t: number, value: number): 'OK' | 'ALARM' | undefined {
    const periodMs = this.spec.periodSeconds * 1000;
    const start = Math.floor(t / periodMs) * periodMs;
    let changed: 'OK' | 'ALARM' | undefined;
    if (!Number.isNaN(this.periodStart) && start !== this.periodStart && this.count > 0) {
      const mean = this.sum / this.count;
      const breaching =
        this.spec.comparison === 'above' ? mean > this.spec.threshold : mean < this.spec.threshold;
      const wants = breaching ? 'ALARM' : 'OK';
      this.streak = wants === this.state ? 0 : this.streak + 1;
      if (this.streak >= this.spec.evaluationPeriods) {
        this.state = wants;
        this.streak = 0;
        changed = wants;
      }
      this.sum = 0;
      this.count = 0;
    }
    this.periodStart = start;
    this.sum += value;
    this.count++;
    return changed;
  }
}
