import type { DeferredInvocation } from '../shared/app/lambda-runtime.ts';
import type { HttpEvent } from '../shared/triggers/http.ts';
import { lambdaHandler, serveHttp } from '../shared/triggers/lambda.ts';
import { LAMBDA_ROUTES } from '../shared/triggers/routes.ts';
import { finishSlackJob } from '../shared/triggers/slack.ts';

const routes = {
  'POST /slack/commands': LAMBDA_ROUTES['POST /slack/commands']!,
  'POST /slack/interactions': LAMBDA_ROUTES['POST /slack/interactions']!,
};

/**
 * Both Slack routes, plus the asynchronous self-invocation that finishes a slow command
 * through its `response_url` after the 3-second answer (only IAM can invoke it that way).
 */
export const handler = lambdaHandler(async (event: HttpEvent | DeferredInvocation, rt, context) => {
  if ('headroomDeferred' in event) {
    // A run that crashed or timed out holds its job until this invocation's time is over.
    const inProgressSeconds = Math.ceil(context.getRemainingTimeInMillis() / 1000);
    await finishSlackJob(event.headroomDeferred, rt.deps, { inProgressSeconds });
    return { finished: true };
  }
  return serveHttp(routes, event, rt);
});
