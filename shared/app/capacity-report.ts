import type { CurrentReader } from '../capacity/current.ts';
import type { CapacityReport } from '../capacity/review.ts';
import { postCapacityReview } from '../capacity/summary.ts';
import type { Config } from '../config/types.ts';
import type { Clock } from '../ports/clock.ts';
import type { MetricSource } from '../ports/metrics.ts';
import type { Notifier } from '../ports/notifier.ts';

/**
 * The monthly capacity review (`capacity.report.schedule`, an EventBridge cron invoking the
 * schedule function with this event): the review over the real metric sources, its summary
 * posted to Slack through the notifier port.
 */
export const CAPACITY_REVIEW_EVENT = { kind: 'capacity-review' } as const;

export function isCapacityReviewEvent(event: unknown): boolean {
  return (
    typeof event === 'object' && event !== null && (event as { kind?: unknown }).kind === 'capacity-review'
  );
}

export interface CapacityReportDeps {
  config: Config;
  clock: Clock;
  metrics: MetricSource;
  /** The brain's notifications (`notifications.slack`): used when the section names no channel. */
  notifier: Notifier;
  /** A Slack notifier for `capacity.report.slack.channel`, when the section names one. */
  slackFor?: (channel: string) => Notifier;
  /** Reads each target's current class, replicas, shards and storage (the brain's actuators). */
  current?: CurrentReader;
}

/** Runs the review as of now and posts its summary; returns the report. */
export async function runCapacityReport(d: CapacityReportDeps): Promise<CapacityReport> {
  const channel = d.config.capacity?.report?.slack?.channel;
  const notifier = channel && d.slackFor ? d.slackFor(channel) : d.notifier;
  return postCapacityReview(
    { config: d.config, now: d.clock.now().getTime(), metrics: d.metrics, remote: true, current: d.current },
    notifier,
  );
}

/**
 * The Lambda wiring: CloudWatch through the metric adapters, the current state through the AWS
 * actuators (the registry the brain uses), Slack with the linked bot token.
 */
export async function lambdaCapacityReport(
  d: Omit<CapacityReportDeps, 'metrics' | 'slackFor' | 'current'> & { slackToken?: string },
): Promise<CapacityReport> {
  const { metricSources } = await import('../adapters/metrics/index.ts');
  const { awsActuators } = await import('./actuators.ts');
  const token = d.slackToken;
  const slack = token ? await import('../adapters/slack/notifier.ts') : undefined;
  return runCapacityReport({
    ...d,
    metrics: metricSources(),
    current: { cloud: 'aws', actuators: awsActuators(d.config, d.clock) },
    slackFor:
      slack && token
        ? (channel) => new slack.SlackNotifier(slack.slackClient(token), { channel })
        : undefined,
  });
}
