import { isCapacityReviewEvent, lambdaCapacityReport } from '../shared/app/capacity-report.ts';
import { link, notifierFor } from '../shared/app/lambda-runtime.ts';
import { PhaseEventSchema } from '../shared/triggers/events.ts';
import { lambdaHandler, serveEvent } from '../shared/triggers/lambda.ts';

/**
 * The periodic reconcile tick (`sst.aws.CronV2`) and the one-time campaign-phase schedules:
 * both reconcile; a phase is logged so the timeline reads in the logs. The monthly capacity
 * review (`{ kind: 'capacity-review' }`, stacks/scheduler.ts) posts its summary to Slack.
 */
export const handler = lambdaHandler((event: unknown, rt) =>
  serveEvent(async () => {
    if (isCapacityReviewEvent(event)) {
      const config = rt.brain.config;
      const r = await lambdaCapacityReport({
        config,
        clock: rt.deps.clock,
        notifier: notifierFor(config),
        slackToken: link('SlackBotToken')?.value,
      });
      return { measures: r.measures.length, crossing: r.measures.filter((m) => m.action).length };
    }
    const phase = PhaseEventSchema.safeParse(event);
    if (phase.success) rt.logger.info('campaign phase', { ...phase.data });
    const r = await rt.brain.reconcile(
      phase.success ? `campaign ${phase.data.campaign} ${phase.data.phase}` : 'tick',
    );
    return { steps: r.results.length };
  }),
);
