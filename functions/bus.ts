import { CAMPAIGN_REQUESTED, FLOOR_REQUESTED, handleEvent } from '../shared/triggers/events.ts';
import { HttpError } from '../shared/triggers/http.ts';
import { lambdaHandler, serveEvent } from '../shared/triggers/lambda.ts';

const ACCEPTED = new Set([CAMPAIGN_REQUESTED, FLOOR_REQUESTED]);

/** Requests other systems put on Headroom's bus: `Headroom Campaign Requested` / `Headroom Floor Requested`. */
export const handler = lambdaHandler((event: { 'detail-type'?: string }, rt) =>
  serveEvent(async () => {
    if (!ACCEPTED.has(event?.['detail-type'] ?? ''))
      throw new HttpError(400, `unsupported detail-type "${event?.['detail-type']}"`);
    return handleEvent(event, rt.deps);
  }),
);
