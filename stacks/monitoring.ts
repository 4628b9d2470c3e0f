import type { Scope } from '../shared/iam/index.ts';
import type { FunctionKey, PhysicalNames } from './settings.ts';

/**
 * Where the brain's own failures surface: one dead-letter queue for every event that could
 * not be delivered or handled (async invocations of the functions, EventBridge rules, SNS,
 * Scheduler), and one SNS topic for the alarms below. Set `HEADROOM_ALERT_EMAIL` at deploy to
 * subscribe an address; subscribe Chatbot, PagerDuty or OpsGenie to the topic for the rest.
 */
export function operations(names: PhysicalNames, scope: Scope) {
  const deadLetters = new sst.aws.Queue('DeadLetters', {
    transform: { queue: { name: names.deadLetters, messageRetentionSeconds: 14 * 86_400 } },
  });
  // EventBridge targets and SNS subscriptions write to the queue as services, from this account only.
  new aws.sqs.QueuePolicy('DeadLettersPolicy', {
    queueUrl: deadLetters.url,
    policy: $jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: ['events.amazonaws.com', 'sns.amazonaws.com'] },
          Action: 'sqs:SendMessage',
          Resource: deadLetters.arn,
          Condition: { StringEquals: { 'aws:SourceAccount': scope.account } },
        },
      ],
    }),
  });
  const alerts = new sst.aws.SnsTopic('Alerts');
  const email = process.env.HEADROOM_ALERT_EMAIL;
  if (email)
    new aws.sns.TopicSubscription('AlertsEmail', { topic: alerts.arn, protocol: 'email', endpoint: email });
  return { deadLetters, alerts };
}

interface AlarmInputs {
  names: PhysicalNames;
  functions: Partial<Record<FunctionKey, sst.aws.Function>>;
  api: sst.aws.ApiGatewayV2;
  deadLetters: sst.aws.Queue;
  alerts: sst.aws.SnsTopic;
  reconcileIntervalSeconds: number;
}

/**
 * Alarms on the brain itself, all to the alerts topic (and back to OK):
 * - `Failed` (Powertools metric, namespace Headroom): a trigger hit a bug or an outage. HTTP
 *   routes answer those with a 500 rather than throwing, so Lambda's own Errors miss them.
 * - Lambda Errors and Throttles per function: crashes, timeouts, concurrency limits.
 * - The reconcile heartbeat: no schedule invocation for three intervals means no drift repair
 *   and no campaign steps; missing data counts as breaching.
 * - Messages in the dead-letter queue: an event was lost to Headroom after every retry.
 * - 5xx from the HTTP API (bad input is a 4xx by contract, so a 5xx is always ours).
 */
export function brainAlarms(o: AlarmInputs) {
  const prefix = o.names.base;
  const actions = { alarmActions: [o.alerts.arn], okActions: [o.alerts.arn] };
  // Most alarms fire on one bad 5-minute sum: anything at all is worth a look.
  const once = {
    statistic: 'Sum',
    period: 300,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
  };
  type Args = Omit<aws.cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions' | keyof typeof once> &
    Partial<Pick<aws.cloudwatch.MetricAlarmArgs, keyof typeof once>>;
  const alarm = (id: string, args: Args) =>
    new aws.cloudwatch.MetricAlarm(id, { ...once, ...args, ...actions });

  alarm('FailedAlarm', {
    name: `${prefix}-failed`,
    alarmDescription: 'Headroom: a trigger failed (bug or outage); see the function logs',
    namespace: 'Headroom',
    metricName: 'Failed',
    dimensions: { service: 'headroom' },
  });
  for (const [key, fn] of Object.entries(o.functions)) {
    if (!fn) continue;
    for (const metric of ['Errors', 'Throttles'])
      alarm(`${key}${metric}Alarm`, {
        name: `${prefix}-${key}-${metric.toLowerCase()}`,
        alarmDescription: `Headroom ${key} function: ${metric} (crash, timeout or concurrency limit)`,
        namespace: 'AWS/Lambda',
        metricName: metric,
        dimensions: { FunctionName: fn.name },
      });
  }
  if (o.functions.schedule) {
    const period = Math.max(60, Math.ceil(o.reconcileIntervalSeconds / 60) * 60);
    alarm('HeartbeatAlarm', {
      name: `${prefix}-reconcile-stopped`,
      alarmDescription: 'Headroom: the periodic reconcile has not run for three intervals',
      namespace: 'AWS/Lambda',
      metricName: 'Invocations',
      dimensions: { FunctionName: o.functions.schedule.name },
      period,
      evaluationPeriods: 3,
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
    });
  }
  alarm('DeadLettersAlarm', {
    name: `${prefix}-dead-letters`,
    alarmDescription: 'Headroom: events were lost after every retry; read them from the dead-letter queue',
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: o.names.deadLetters },
    statistic: 'Maximum',
  });
  alarm('Api5xxAlarm', {
    name: `${prefix}-api-5xx`,
    alarmDescription: 'Headroom HTTP API answered 5xx (bad input is 4xx: this is a bug or an outage)',
    namespace: 'AWS/ApiGateway',
    metricName: '5xx',
    dimensions: { ApiId: o.api.nodes.api.id },
  });
}
