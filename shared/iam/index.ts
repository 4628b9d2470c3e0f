export { managedPrefix } from '../domain/managed.ts';
export { NameProblems, roleScope, type Scope } from './arns.ts';
export { type Grant, MANAGED_TAG_KEY, MANAGED_TAG_VALUE } from './grants.ts';
export {
  type Deployment,
  type HeadroomPolicy,
  headroomPolicy,
  MANAGED_POLICY_MAX_CHARS,
  type PolicyDocument,
  type PolicyStatement,
  policyDocuments,
} from './policy.ts';
