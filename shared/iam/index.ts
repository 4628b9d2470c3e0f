export { NameProblems, roleScope, type Scope } from './arns.ts';
export { type Grant, KIND_GRANTS, MANAGED_TAG_KEY, MANAGED_TAG_VALUE, managedPrefix } from './kinds.ts';
export {
  type Deployment,
  type HeadroomPolicy,
  headroomPolicy,
  MANAGED_POLICY_MAX_CHARS,
  type PolicyDocument,
  type PolicyStatement,
  policyDocuments,
} from './policy.ts';
