import { CAMPAIGN_REQUESTED, FLOOR_REQUESTED } from '../shared/triggers/events.ts';
import { LINK, type PhysicalNames } from './settings.ts';

/**
 * Headroom's own EventBridge bus: its decisions go out (`source: headroom`, `Headroom Step
 * Executed`, ...) for other systems to react to, and requests come in from a marketing tool
 * or a deploy pipeline (`Headroom Campaign Requested`, `Headroom Floor Requested`).
 */
export function eventBus(names: PhysicalNames) {
  const bus = new sst.aws.Bus('Bus', { transform: { bus: { name: names.bus } } });
  const link = new sst.Linkable(LINK.HeadroomBus, { properties: { name: bus.name, arn: bus.arn } });
  return { bus, link };
}

/**
 * Only the two request types reach the bus function: Headroom's own decision events on the
 * same bus never loop back. Events the function cannot take after EventBridge's retries (a
 * day of them) land in the dead-letter queue instead of vanishing.
 */
export function subscribeRequests(bus: sst.aws.Bus, fn: sst.aws.Function, deadLetters: sst.aws.Queue) {
  return bus.subscribe('Requests', fn.arn, {
    pattern: { detailType: [CAMPAIGN_REQUESTED, FLOOR_REQUESTED] },
    transform: {
      target: (args) => {
        args.deadLetterConfig = { arn: deadLetters.arn };
        args.retryPolicy = { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 };
      },
    },
  });
}
