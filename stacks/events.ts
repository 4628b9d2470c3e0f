import type { Config } from '../shared/config/types.ts';
import type { Scope } from '../shared/iam/index.ts';
import { alarmNameFilter } from './settings.ts';

/**
 * CloudWatch alarms reach the alarm function two ways: an EventBridge rule on the default
 * bus for `CloudWatch Alarm State Change` (every alarm of this region whose name a rule
 * watches, composite and metric-math alarms included), and an SNS topic for alarms whose
 * actions should notify explicitly (or that are forwarded from elsewhere). Nothing is created
 * when no rule watches an alarm.
 */
export function alarmDelivery(
  config: Config,
  scope: Scope,
  fn: sst.aws.Function,
  deadLetters: sst.aws.Queue,
) {
  const names = alarmNameFilter(config);
  if (!names) return undefined;
  const defaultBus = `arn:${scope.partition}:events:${scope.region}:${scope.account}:event-bus/default`;
  sst.aws.Bus.subscribe('AlarmStateChanges', defaultBus, fn.arn, {
    pattern: {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      detail: { alarmName: names },
    },
    transform: {
      target: (args) => {
        args.deadLetterConfig = { arn: deadLetters.arn };
        args.retryPolicy = { maximumEventAgeInSeconds: 3_600, maximumRetryAttempts: 50 };
      },
    },
  });
  const topic = new sst.aws.SnsTopic('Alarms');
  topic.subscribe('AlarmFunction', fn.arn, {
    transform: {
      subscription: (args) => {
        // SNS keeps what it could not deliver to Lambda instead of dropping it.
        args.redrivePolicy = $jsonStringify({ deadLetterTargetArn: deadLetters.arn });
      },
    },
  });
  return { topic };
}
