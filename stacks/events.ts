import type { Config } from '../shared/config/types.ts';
import type { Scope } from '../shared/iam/index.ts';
import { type AlarmDelivery, alarmNameFilter } from './settings.ts';

/**
 * CloudWatch alarms reach the alarm function one of two ways (settings.alarmDelivery):
 * - `eventbridge`: a rule on the default bus for `CloudWatch Alarm State Change`, filtered to
 *   the alarm names the config's rules watch (metric, metric-math and composite alarms alike);
 * - `sns`: a topic to name in the alarms' `AlarmActions` and `OKActions`.
 * Nothing is created when no rule watches an alarm.
 */
export function alarmDelivery(
  config: Config,
  delivery: AlarmDelivery,
  scope: Scope,
  fn: sst.aws.Function,
  deadLetters: sst.aws.Queue,
): { topic?: sst.aws.SnsTopic } | undefined {
  const names = alarmNameFilter(config);
  if (!names) return undefined;
  if (delivery === 'sns') return { topic: alarmTopic(fn, deadLetters) };
  const defaultBus = `arn:${scope.partition}:events:${scope.region}:${scope.account}:event-bus/default`;
  sst.aws.Bus.subscribe('AlarmStateChanges', defaultBus, fn.arn, {
    pattern: {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      detail: { alarmName: names },
    },
    transform: {
      target: (args) => {
        // After an hour of retries the event goes to the dead-letter queue, not nowhere.
        args.deadLetterConfig = { arn: deadLetters.arn };
        args.retryPolicy = { maximumEventAgeInSeconds: 3_600, maximumRetryAttempts: 50 };
      },
    },
  });
  return {};
}

function alarmTopic(fn: sst.aws.Function, deadLetters: sst.aws.Queue) {
  const topic = new sst.aws.SnsTopic('Alarms');
  topic.subscribe('AlarmFunction', fn.arn, {
    transform: {
      subscription: (args) => {
        // SNS keeps what it could not deliver to Lambda instead of dropping it.
        args.redrivePolicy = $jsonStringify({ deadLetterTargetArn: deadLetters.arn });
      },
    },
  });
  return topic;
}
