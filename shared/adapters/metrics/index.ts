import type { DemandSignal } from '../../domain/types.ts';
import type { MetricQuery, MetricSource, Series } from '../../ports/metrics.ts';
import { CloudWatchMetricSource, type CloudWatchSourceOptions } from './cloudwatch.ts';
import { CsvMetricSource } from './csv.ts';
import { MetricSourceError } from './errors.ts';
import { PrometheusMetricSource, type PrometheusSourceOptions } from './prometheus.ts';

export { CloudWatchMetricSource } from './cloudwatch.ts';
export { CsvMetricSource, parseTraceCsv, readTraceCsv } from './csv.ts';
export { MetricSourceError } from './errors.ts';
export { PrometheusMetricSource } from './prometheus.ts';

export interface MetricSourcesOptions {
  /** The simulated cloud's metrics: serves `source: sim` signals. */
  sim?: MetricSource;
  /**
   * Running on the simulator: the simulated cloud serves every remote signal (CloudWatch,
   * Prometheus); CSV files are local and are still read.
   */
  simulateAll?: boolean;
  /** Directory csv `file` paths are relative to (the config file's directory). */
  baseDir?: string;
  cloudwatch?: CloudWatchSourceOptions;
  prometheus?: PrometheusSourceOptions;
}

/**
 * One MetricSource over every signal: picks the adapter by `signal.source` (one case per
 * source, alphabetical). Adapters are built on first use, so a config without CloudWatch
 * signals never creates a CloudWatch client.
 */
export function metricSources(opts: MetricSourcesOptions = {}): MetricSource {
  let cloudwatch: MetricSource | undefined;
  let csv: MetricSource | undefined;
  let prometheus: MetricSource | undefined;
  const pick = (signal: DemandSignal): MetricSource => {
    if (opts.simulateAll && opts.sim && signal.source !== 'csv') return opts.sim;
    switch (signal.source) {
      case 'cloudwatch':
        cloudwatch ??= new CloudWatchMetricSource(opts.cloudwatch);
        return cloudwatch;
      case 'csv':
        csv ??= new CsvMetricSource({ baseDir: opts.baseDir });
        return csv;
      case 'prometheus':
        prometheus ??= new PrometheusMetricSource(opts.prometheus);
        return prometheus;
      case 'sim':
        if (opts.sim) return opts.sim;
        throw new MetricSourceError(
          `signals.${signal.name}: source sim is served by the simulated cloud only (--cloud sim)`,
        );
    }
  };
  return {
    history: async (signal: DemandSignal, q: MetricQuery): Promise<Series> => pick(signal).history(signal, q),
  };
}
