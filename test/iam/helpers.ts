import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Deployment, PolicyStatement } from '../../shared/iam/index.ts';
import { policyDocuments } from '../../shared/iam/index.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/headroom-prod-Functions`;

/** Headroom's own resources as the stacks name them in stage `prod`. */
export function deployment(over: Partial<Deployment> = {}): Deployment {
  return {
    partition: 'aws',
    account: ACCOUNT,
    region: REGION,
    stateTableArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/headroom-prod-StateTable-abcdef`,
    busArn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/headroom-prod-Bus-abcdef`,
    schedulerRoleArn: `arn:aws:iam::${ACCOUNT}:role/headroom-prod-SchedulerRole`,
    scheduleGroupName: 'headroom-prod',
    deadLetterQueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:headroom-prod-DeadLetters-abcdef`,
    functionNames: ['headroom-prod-alarm', 'headroom-prod-slack', 'headroom-prod-schedule'],
    selfInvokingFunctionNames: ['headroom-prod-slack'],
    ...over,
  };
}

export interface Call {
  action: string;
  resource: string;
  /** Request context: tags on the request or on the resource, the service a role is passed to. */
  context?: Record<string, string>;
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/**
 * What IAM decides for one request of a principal whose identity policies are `statements`
 * (packed into managed policies exactly as the stacks attach them). A request the simulator
 * cannot even evaluate (an ARN of the wrong type for the action, an unknown context key) fails
 * the test: it would mean the test itself asks the wrong question.
 */
export async function decide(
  statements: PolicyStatement[],
  call: Call,
  principal = ROLE,
  account = ACCOUNT,
): Promise<Decision> {
  const identityPolicies = policyDocuments(statements).map((policy, i) => ({
    name: `headroom-${i}`,
    policy,
  }));
  const result = await runSimulation(
    {
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: call.action,
        principal,
        resource: { resource: call.resource, accountId: account },
        contextVariables: call.context ?? {},
      },
    },
    {},
  );
  if (result.resultType === 'error')
    throw new Error(`cannot simulate ${call.action} on ${call.resource}: ${JSON.stringify(result.errors)}`);
  if (result.resultType === 'single') return result.overallResult as Decision;
  // A `*` in a requested ARN is literal, as AWS evaluates a list call (`db:*`): the simulator
  // reports every matching pattern, and only the literal one answers the request.
  const literal = result.results.find((r) => r.resourcePattern === call.resource);
  if (result.results.some((r) => r.analysis.result === 'ExplicitlyDenied')) return 'ExplicitlyDenied';
  return literal?.analysis.result === 'Allowed' ? 'Allowed' : 'ImplicitlyDenied';
}
