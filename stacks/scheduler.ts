import type { Config } from '../shared/config/types.ts';
import type { Scope } from '../shared/iam/index.ts';
import { functionArn, LINK, type PhysicalNames, reconcileRate } from './settings.ts';

/**
 * EventBridge Scheduler for campaign phases: a group holding the one-time `at()` schedules
 * the brain creates when a campaign is added (and deletes when it is cancelled), and the role
 * Scheduler assumes to invoke the schedule function. The brain may pass only this role, and
 * only to Scheduler (shared/iam).
 */
export function campaignScheduling(names: PhysicalNames, scope: Scope, deadLetters: sst.aws.Queue) {
  const group = new aws.scheduler.ScheduleGroup('Schedules', { name: names.scheduleGroup });
  const target = functionArn(scope, names.functions.schedule);
  const role = new aws.iam.Role('SchedulerRole', {
    name: names.schedulerRole,
    description: 'EventBridge Scheduler invokes the Headroom schedule function for campaign phases',
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Action: 'sts:AssumeRole',
          // Only schedules of this account may use it (the confused-deputy guard AWS advises).
          Condition: { StringEquals: { 'aws:SourceAccount': scope.account } },
        },
      ],
    }),
    inlinePolicies: [
      {
        name: 'invoke-schedule-function',
        policy: $jsonStringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [target, `${target}:*`] },
            { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: deadLetters.arn },
          ],
        }),
      },
    ],
  });
  return {
    links: [
      new sst.Linkable(LINK.SchedulerRole, { properties: { arn: role.arn } }),
      new sst.Linkable(LINK.ScheduleGroup, { properties: { name: group.name } }),
      new sst.Linkable(LINK.ScheduleTarget, { properties: { arn: target } }),
    ],
  };
}

/**
 * The periodic reconcile (`defaults.reconcileInterval`): it repairs drift and applies steps
 * that fell due. A lost tick costs one interval, so two retries are plenty; what still fails
 * goes to the dead-letter queue, whose alarm says so.
 */
export function reconcileTick(fn: sst.aws.Function, intervalSeconds: number, deadLetters: sst.aws.Queue) {
  return new sst.aws.CronV2('Reconcile', {
    function: fn,
    schedule: reconcileRate(intervalSeconds),
    retries: 2,
    dlq: deadLetters.arn,
  });
}

/**
 * The monthly capacity review (`capacity.report.schedule`, default 08:00 UTC on the 1st):
 * the schedule function runs the review and posts its summary to Slack. Only when the config
 * asks for the report.
 */
export function capacityReviewTick(fn: sst.aws.Function, config: Config, deadLetters: sst.aws.Queue) {
  const report = config.capacity?.report;
  if (!report) return undefined;
  return new sst.aws.CronV2('CapacityReview', {
    function: fn,
    schedule: report.schedule as `cron(${string})`,
    // The event shared/app/capacity-report.ts recognises.
    event: { kind: 'capacity-review' },
    retries: 2,
    dlq: deadLetters.arn,
  });
}
