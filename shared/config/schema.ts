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
import { backtestSchema } from './backtest.ts';

/**
 * The shape of `headroom.yaml` as users write it. Cross-references (targets, signals,
 * dependencies, tiers) are checked afterwards in `load.ts`, where every target is known.
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

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "-", "_" and "." only');

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
const namespace = z
  .string()
  .refine(isDnsLabel, { error: (iss) => `invalid namespace "${String(iss.input)}" (${DNS_LABEL_RULE})` });
const objectName = z
  .string()
  .refine(isDnsSubdomain, { error: (iss) => `invalid name "${String(iss.input)}" (${DNS_SUBDOMAIN_RULE})` });

const cpu = z.union([z.string(), z.number()]).refine((v) => parseCpuMillis(v) !== undefined, {
  error: (iss) => `invalid CPU quantity "${String(iss.input)}"`,
});
const memory = z.union([z.string(), z.number()]).refine((v) => parseMemoryBytes(v) !== undefined, {
  error: (iss) => `invalid memory quantity "${String(iss.input)}"`,
});

export const podResources = z.strictObject({ cpu, memory });

const countBounds = z
  .strictObject({ min: z.number().nonnegative(), max: z.number().positive() })
  .refine((b) => b.min <= b.max, { message: 'min must not exceed max' });
const tierBounds = z.strictObject({ min: z.string(), max: z.string() });

const capacity = z.strictObject({
  signal: z.string(),
  perUnit: z.number().positive(),
  targetUtilization: z.number().gt(0).lte(1),
});

/** Fields every target may carry. */
const common = {
  kind: z.string(),
  leadTime: duration.optional(),
  margin: duration.optional(),
  cooldown: duration.optional(),
  scaleDownDelay: duration.optional(),
  maxStepPercent: z.number().positive().optional(),
  dryRun: z.boolean().optional(),
  approval: z.enum(['none', 'required']).optional(),
  dependsOn: z.array(z.string()).optional(),
  capacity: capacity.optional(),
  baseline: z.union([z.number().nonnegative(), z.string()]).optional(),
  region: region.optional(),
  roleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'not an IAM role ARN')
    .optional(),
  description: z.string().optional(),
};

const k8sWorkload = z.strictObject({
  ...common,
  cluster: z.string(),
  namespace,
  name: objectName,
  bounds: countBounds,
  pod: podResources.optional(),
});

export const TARGET_SCHEMAS = {
  'k8s-hpa': k8sWorkload,
  'keda-scaledobject': k8sWorkload,
  'k8s-deployment': k8sWorkload,
  'k8s-statefulset': k8sWorkload,
  'karpenter-headroom': z.strictObject({
    ...common,
    cluster: z.string(),
    namespace,
    nodePool: objectName,
    placeholder: podResources,
    placeholderName: objectName.optional(),
    priorityClassName: objectName.optional(),
    image: z.string().optional(),
    bounds: countBounds,
  }),
  'eks-nodegroup': z.strictObject({
    ...common,
    cluster: z.string(),
    nodegroup: z.string(),
    bounds: countBounds,
  }),
  'rds-instance': z.strictObject({
    ...common,
    identifier: z.string(),
    tiers: z.array(z.string()).min(1),
    bounds: tierBounds.optional(),
    storage: z
      .strictObject({ minFreePercent: z.number().gt(0).lt(100), maxAllocatedGiB: z.number().positive() })
      .optional(),
  }),
  'rds-read-replicas': z.strictObject({
    ...common,
    source: z.string(),
    instanceClass: z.string(),
    availabilityZones: z.array(z.string()).optional(),
    bounds: countBounds,
  }),
  'aurora-readers': z.strictObject({
    ...common,
    clusterIdentifier: z.string(),
    instanceClass: z.string().optional(),
    bounds: countBounds,
  }),
  'aurora-serverless-v2': z.strictObject({
    ...common,
    clusterIdentifier: z.string(),
    bounds: countBounds,
    maxCapacity: z.number().positive().optional(),
  }),
  'elasticache-replication-group': z.strictObject({
    ...common,
    replicationGroupId: z.string(),
    replicas: countBounds.optional(),
    shards: countBounds.optional(),
    tiers: z.array(z.string()).min(1).optional(),
    bounds: tierBounds.optional(),
  }),
  'elasticache-serverless': z.strictObject({
    ...common,
    serverlessCacheName: z.string(),
    bounds: countBounds,
    dataStorageMinimumGB: z.number().positive().optional(),
  }),
} as const;

const cluster = z
  .strictObject({
    eksCluster: z.string().optional(),
    region: region.optional(),
    roleArn: common.roleArn,
    kubeconfig: z.strictObject({ context: z.string(), path: z.string().optional() }).optional(),
  })
  .refine((c) => c.eksCluster || c.kubeconfig, { message: 'needs eksCluster or kubeconfig' });

const signal = z.strictObject({
  source: z.enum(['cloudwatch', 'prometheus', 'csv', 'sim']),
  unit: z.enum(['perSecond', 'perMinute', 'perHour', 'perStep']).default('perSecond'),
  baseline: z.number().nonnegative().optional(),
  region: region.optional(),
  metric: z
    .strictObject({
      namespace: z.string(),
      name: z.string(),
      dimensions: z.record(z.string(), z.string()).optional(),
      stat: z.string().default('Sum'),
      period: z.number().int().positive().default(60),
    })
    .optional(),
  expression: z.string().optional(),
  url: z.url().optional(),
  query: z.string().optional(),
  tokenEnv: z.string().optional(),
  step: duration.optional(),
  file: z.string().optional(),
  description: z.string().optional(),
});

const rule = z.strictObject({
  name,
  when: z
    .strictObject({
      alarm: z.string().optional(),
      state: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']).optional(),
      alert: z.record(z.string(), z.string()).optional(),
      cron: cron.optional(),
    })
    .refine((w) => [w.alarm, w.alert, w.cron].filter((x) => x !== undefined).length === 1, {
      message: 'needs exactly one of alarm, alert or cron',
    }),
  then: z
    .strictObject({
      target: z.string(),
      floor: z.union([z.number().nonnegative(), z.string()]).optional(),
      raise: raise.optional(),
      for: duration,
    })
    .refine((t) => (t.floor === undefined) !== (t.raise === undefined), {
      message: 'needs exactly one of floor or raise',
    }),
  releaseOnResolve: z.boolean().optional(),
});

const predictive = z.strictObject({
  target: z.string(),
  signal: z.string(),
  horizon: duration.default(7200),
  quantile: z.number().gt(0.5).lt(1).default(0.95),
  mode: z.enum(['apply', 'forecast-only']).default('apply'),
});

const campaign = z.strictObject({
  name: campaignName,
  start: z.string(),
  duration,
  multiplier,
  targets: z.array(z.string()).min(1),
  floors: z.record(z.string(), z.union([z.number().nonnegative(), z.string()])).optional(),
  approved: z.boolean().optional(),
});

export const configSchema = z.strictObject({
  version: z.literal(1),
  timezone: timeZone.default('UTC'),
  defaults: z
    .strictObject({
      cooldown: duration.default(300),
      scaleDownDelay: duration.default(900),
      maxStepPercent: z.number().positive().default(200),
      dryRun: z.boolean().default(false),
      reconcileInterval: duration.default(60),
    })
    .prefault({}),
  /** Caps on what triggers may ask for. */
  limits: z
    .strictObject({
      /** The longest intent a rule, a person or another system may create. */
      maxIntentDuration: duration.default(DEFAULT_MAX_INTENT_SECONDS),
    })
    .prefault({}),
  clusters: z.record(z.string(), cluster).default({}),
  targets: z.record(name, z.looseObject({ kind: z.string() })),
  signals: z.record(name, signal).default({}),
  rules: z.array(rule).default([]),
  predictive: z.array(predictive).default([]),
  campaigns: z.array(campaign).default([]),
  access: z
    .strictObject({
      slack: z
        .strictObject({
          allowedUsers: z.array(z.string()).default([]),
          approvers: z.array(z.string()).default([]),
          channels: z.array(z.string()).default([]),
        })
        .optional(),
    })
    .default({}),
  notifications: z
    .strictObject({
      slack: z.strictObject({ channel: z.string() }).optional(),
      eventBus: z.strictObject({ name: z.string() }).optional(),
    })
    .default({}),
  /** How the backtest's simulated world behaves (shared/config/backtest.ts). */
  backtest: backtestSchema.optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawCampaign = z.infer<typeof campaign>;
