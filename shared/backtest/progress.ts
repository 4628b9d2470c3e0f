import cliProgress from 'cli-progress';
import type { PolicyName } from './policies.ts';

export interface Progress {
  update(policy: PolicyName, fraction: number): void;
  stop(): void;
}

const quiet: Progress = { update: () => {}, stop: () => {} };

/**
 * A progress bar on the terminal for long backtests: one bar over the simulated policies
 * (the oracle is computed, not simulated, and takes no time). Writes to `stream` only when it
 * is a TTY and `enabled`; otherwise does nothing, so `--json` output and logs stay clean.
 */
export function progressBar(stream: NodeJS.WriteStream, enabled: boolean, policies: PolicyName[]): Progress {
  const simulated: PolicyName[] = policies.filter((p) => p !== 'oracle');
  if (!enabled || !stream.isTTY || simulated.length === 0) return quiet;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'backtest {bar} {percentage}% | {policy} | {duration_formatted} elapsed, ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const per = 1000;
  bar.start(simulated.length * per, 0, { policy: simulated[0] });
  return {
    update(policy, fraction) {
      const k = simulated.indexOf(policy);
      if (k < 0) return;
      bar.update(Math.round((k + Math.min(1, fraction)) * per), { policy });
    },
    stop() {
      bar.stop();
    },
  };
}
