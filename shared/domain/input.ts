/**
 * What people and other systems may hand Headroom, checked the same way at every edge (config,
 * CLI, Slack, the bus). Each check returns the value or undefined (or a reason): the caller
 * names the field in its refusal. Lenient JavaScript conversions (`Number('0x10')`,
 * `Number('1e1')`, `Infinity`) never reach a floor, a multiplier or a name.
 */

/** Largest count accepted for a floor: above any bound (ElastiCache Serverless ECPU/s go to 15M). */
export const MAX_COUNT = 1_000_000_000;

/** Campaign multipliers and raise factors lie in (0, MAX_MULTIPLIER]. */
export const MAX_MULTIPLIER = 1000;

/**
 * A count as written: a whole number in decimal digits (`12`, not `0x10`, `1e1`, `12.0` or
 * ` 12`), or a JSON number that is a whole number, at most MAX_COUNT. Targets whose
 * granularity is fractional (Aurora Serverless v2 ACUs in steps of 0.5) also take decimals
 * that are a multiple of it (`1.5`).
 */
export function parseCount(value: unknown, granularity = 1): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const decimal = granularity < 1 ? /^\d{1,10}(\.\d{1,3})?$/ : /^\d{1,10}$/;
    if (!decimal.test(value)) return undefined;
    n = Number(value);
  } else return undefined;
  if (!Number.isFinite(n) || n < 0 || n > MAX_COUNT) return undefined;
  if (Math.abs(n / granularity - Math.round(n / granularity)) > 1e-9) return undefined;
  return n;
}

/** Why a count was refused, for messages. */
export function countRule(granularity = 1): string {
  return granularity < 1
    ? `a number of units from 0 to ${MAX_COUNT} in steps of ${granularity}, written in decimal`
    : `a whole number from 0 to ${MAX_COUNT}, written in decimal digits`;
}

/**
 * A multiplier or raise factor: finite and in (0, MAX_MULTIPLIER]. Text is decimal digits with
 * at most 6 decimals (`15`, `1.5`, `x2` where the caller strips the `x`); 400 digits,
 * `Infinity`, `1e308` and `0x10` are refused.
 */
export function parseMultiplier(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    if (!/^\d{1,4}(\.\d{1,6})?$/.test(value)) return undefined;
    n = Number(value);
  } else return undefined;
  return Number.isFinite(n) && n > 0 && n <= MAX_MULTIPLIER ? n : undefined;
}

export const MULTIPLIER_RULE = `a number greater than 0 and at most ${MAX_MULTIPLIER}`;

/**
 * Campaign names: lower-case letters, digits and `-`, 1 to 63 characters, starting and ending
 * with a letter or digit. They become schedule names, intent ids and Slack text, so nothing
 * that a shell, a URL or Slack would interpret (`/`, `$()`, `<!channel>`) can be one.
 */
const CAMPAIGN_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function isCampaignName(name: unknown): name is string {
  return typeof name === 'string' && CAMPAIGN_NAME.test(name);
}

export const CAMPAIGN_NAME_RULE =
  'lower-case letters, digits and "-", 1 to 63 characters, starting and ending with a letter or digit';

/**
 * AWS region codes (`eu-central-1`, `us-gov-west-1`, `us-iso-east-1`, `us-isob-east-1`): a
 * region becomes part of every ARN in the IAM policy, so `*` or any other pattern is refused.
 */
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;

export function isAwsRegion(region: unknown): region is string {
  return typeof region === 'string' && AWS_REGION.test(region);
}

export const AWS_REGION_RULE = 'an AWS region code such as eu-central-1 (no wildcards)';

/** A Kubernetes DNS-1123 label (namespaces): lower-case alphanumerics and `-`, at most 63. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDnsLabel(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 63 && DNS_LABEL.test(name);
}

/** A Kubernetes DNS-1123 subdomain (object names): dot-separated labels, at most 253. */
export function isDnsSubdomain(name: unknown): name is string {
  return (
    typeof name === 'string' && name.length <= 253 && name.split('.').every((label) => DNS_LABEL.test(label))
  );
}

export const DNS_LABEL_RULE =
  'a DNS-1123 label: lower-case letters, digits and "-", at most 63 characters, starting and ending with a letter or digit';
export const DNS_SUBDOMAIN_RULE =
  'a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", at most 253 characters, each part starting and ending with a letter or digit';
