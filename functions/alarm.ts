import { handleEvent } from '../shared/triggers/events.ts';
import { lambdaHandler, serveEvent } from '../shared/triggers/lambda.ts';

/** CloudWatch alarm state changes from an EventBridge rule, or the alarm JSON inside SNS records. */
export const handler = lambdaHandler((event: unknown, rt) => serveEvent(() => handleEvent(event, rt.deps)));
