import type { Config } from '../config/types.ts';
import type { DemandView } from '../domain/types.ts';
import type { DemandProvider } from '../ports/demand.ts';
import type { SimCloud } from './cloud.ts';

/**
 * Demand "forecasts" of the simulated cloud: its own curves, known exactly. Used where the
 * brain runs on the simulator without the forecaster (tests of the core, `plan` on the sim).
 */
export class CurveDemandProvider implements DemandProvider {
  private readonly sim: SimCloud;
  private readonly stepSeconds: number;
  constructor(sim: SimCloud, stepSeconds = 300) {
    this.sim = sim;
    this.stepSeconds = stepSeconds;
  }

  async demand(config: Config, now: Date, until: Date): Promise<Record<string, DemandView>> {
    const out: Record<string, DemandView> = {};
    const step = this.stepSeconds * 1000;
    for (const signal of Object.values(config.signals)) {
      const points: DemandView['points'] = [];
      for (let t = Math.floor(now.getTime() / step) * step; t <= until.getTime(); t += step) {
        const v = this.sim.demand(signal, t);
        points.push({ t, value: v, lower: v, upper: v });
      }
      out[signal.name] = {
        signal: signal.name,
        points,
        stepSeconds: this.stepSeconds,
        quantile: 0.5,
        model: 'simulated curve',
        observedPerSecond: this.sim.demand(signal, now.getTime()),
      };
    }
    return out;
  }
}
