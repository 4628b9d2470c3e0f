import { Cron } from 'croner';
import * as z from 'zod';
import {
  DEFAULT_MAX_INTENT_SECONDS,
  DURATION_RULE,
  MAX_DURATION_SECONDS,
  parseCpuMillis,
  parseDuration,
  parseMemoryBytes,
  parseRaise,
} from '../domain/duration.ts';
import {
  AWS_REGION_RULE,
  CAMPAIGN_NAME_RULE,
  DNS_LABEL_RULE,
  DNS_SUBDOMAIN_RULE,
  isAwsRegion,
  isCampaignName,
  isDnsLabel,
  isDnsSubdomain,
  MULTIPLIER_RULE,
  parseMultiplier,
} from '../domain/input.ts';
import { isValidTimeZone } from '../domain/time.ts';

/**
 * The building blocks of `headroom.yaml`: values (durations, regions, Kubernetes names,
 * quantities) and the fields every target may carry. The config schema and every kind's
 * schema (shared/kinds/) are made of these, so one field reads and fails the same everywhere.
 */

export const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = typeof v === 'number' ? (v >= 0 && v <= MAX_DURATION_SECONDS ? v : undefined) : parseDuration(v);
  if (s === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid duration "${v}" (${DURATION_RULE}, whole numbers, at most 366d)`,
    });
    return z.NEVER;
  }
  return s;
});

export const raise = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const r = parseRaise(v);
  if (!r) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid raise "${v}" (a whole count like 1 or a percentage like 50%, at most 1000)`,
    });
    return z.NEVER;
  }
  return r;
});

export const timeZone = z
  .string()
  .refine(isValidTimeZone, { error: (iss) => `unknown IANA time zone "${String(iss.input)}"` });

export const cron = z.string().refine(
  (v) => {
    try {
      new Cron(v, { paused: true });
      return true;
    } catch {
      return false;
    }
  },
  { error: (iss) => `invalid cron expression "${String(iss.input)}"` },
);

export const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "-", "_" and "." only');

/** Campaign names end up in schedule names, intent ids and Slack messages (domain/input.ts). */
export const campaignName = z.string().refine(isCampaignName, {
  error: (iss) => `invalid campaign name "${String(iss.input)}" (${CAMPAIGN_NAME_RULE})`,
});

/** A campaign multiplier or a raise factor: finite, in (0, 1000]. */
export const multiplier = z.number().refine((v) => parseMultiplier(v) !== undefined, {
  error: (iss) => `${String(iss.input)} is not ${MULTIPLIER_RULE}`,
});

/** A region becomes part of every ARN the IAM policy grants: a code, never a pattern. */
export const region = z
  .string()
  .refine(isAwsRegion, { error: (iss) => `invalid region "${String(iss.input)}" (${AWS_REGION_RULE})` });

/** Namespaces are DNS-1123 labels; object names (workloads, NodePools, classes) subdomains. */
export const namespace = z
  .string()
  .refine(isDnsLabel, { error: (iss) => `invalid namespace "${String(iss.input)}" (${DNS_LABEL_RULE})` });
export const objectName = z
  .string()
  .refine(isDnsSubdomain, { error: (iss) => `invalid name "${String(iss.input)}" (${DNS_SUBDOMAIN_RULE})` });

const cpu = z.union([z.string(), z.number()]).refine((v) => parseCpuMillis(v) !== undefined, {
  error: (iss) => `invalid CPU quantity "${String(iss.input)}"`,
});
const memory = z.union([z.string(), z.number()]).refine((v) => parseMemoryBytes(v) !== undefined, {
  error: (iss) => `invalid memory quantity "${String(iss.input)}"`,
});

export const podResources = z.strictObject({ cpu, memory });

export const countBounds = z
  .strictObject({ min: z.number().nonnegative(), max: z.number().positive() })
  .refine((b) => b.min <= b.max, { message: 'min must not exceed max' });
export const tierBounds = z.strictObject({ min: z.string(), max: z.string() });

const capacity = z.strictObject({
  signal: z.string(),
  perUnit: z.number().positive(),
  targetUtilization: z.number().gt(0).lte(1),
});

/**
 * A dependency: a target id, or `{ target, soft }`. A dependent is raised only once its
 * dependencies are ready; a soft edge lets it go ahead when the dependency is blocked or waits
 * for approval (planner/dependencies.ts).
 */
export const dependency = z.union([
  z.string(),
  z.strictObject({ target: z.string(), soft: z.boolean().optional() }),
]);

/** Fields every target may carry. */
export const common = {
  kind: z.string(),
  leadTime: duration.optional(),
  margin: duration.optional(),
  cooldown: duration.optional(),
  scaleDownDelay: duration.optional(),
  maxStepPercent: z.number().positive().optional(),
  dryRun: z.boolean().optional(),
  approval: z.enum(['none', 'required']).optional(),
  dependsOn: z.array(dependency).optional(),
  capacity: capacity.optional(),
  baseline: z.union([z.number().nonnegative(), z.string()]).optional(),
  region: region.optional(),
  roleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'not an IAM role ARN')
    .optional(),
  description: z.string().optional(),
};
