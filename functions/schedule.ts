import { PhaseEventSchema } from '../shared/triggers/events.ts';
import { lambdaHandler, serveEvent } from '../shared/triggers/lambda.ts';

/**
 * The periodic reconcile tick (`sst.aws.CronV2`) and the one-time campaign-phase schedules:
 * both reconcile; a phase is logged so the timeline reads in the logs.
 */
export const handler = lambdaHandler((event: unknown, rt) =>
  serveEvent(async () => {
    const phase = PhaseEventSchema.safeParse(event);
    if (phase.success) rt.logger.info('campaign phase', { ...phase.data });
    const r = await rt.brain.reconcile(
      phase.success ? `campaign ${phase.data.campaign} ${phase.data.phase}` : 'tick',
    );
    return { steps: r.results.length };
  }),
);
