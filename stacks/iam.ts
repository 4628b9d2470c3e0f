import type { Config } from '../shared/config/types.ts';
import { type Deployment, headroomPolicy, policyDocuments } from '../shared/iam/index.ts';

/** A role takes at most 10 managed policies unless the account's quota was raised. */
const MAX_ATTACHED_POLICIES = 10;

/**
 * Attaches the least-privilege statements shared/iam derives from the config to the
 * functions' role, packed into managed policies within IAM's size limit. The statements are
 * computed before any resource exists, so a config whose names would widen the policy stops
 * the deploy here. Returns what each cross-account role (`roleArn`) needs in its own account.
 */
export function attachPolicies(config: Config, deployment: Deployment, role: aws.iam.Role, base: string) {
  const { statements, assumedRoles } = headroomPolicy(config, deployment);
  const docs = policyDocuments(statements);
  if (docs.length > MAX_ATTACHED_POLICIES)
    throw new Error(
      `the policy needs ${docs.length} managed policies, more than the ${MAX_ATTACHED_POLICIES} a role takes: split the config into stages`,
    );
  docs.forEach((doc, i) => {
    const policy = new aws.iam.Policy(`FunctionsPolicy${i + 1}`, {
      name: `${base}-functions-${i + 1}`,
      description: `Headroom functions, part ${i + 1} of ${docs.length}: derived from headroom.yaml`,
      policy: JSON.stringify(doc),
    });
    new aws.iam.RolePolicyAttachment(`FunctionsPolicyAttachment${i + 1}`, {
      role: role.name,
      policyArn: policy.arn,
    });
  });
  return assumedRoles;
}
