import * as z from 'zod';
import { capacitySchema } from '../capacity/schema.ts';
import { DEFAULT_MAX_INTENT_SECONDS } from '../domain/duration.ts';
import { backtestSchema } from './backtest.ts';
import { constraintSchema } from './constraints.ts';
import { campaignName, common, cron, duration, multiplier, name, raise, region, timeZone } from './fields.ts';
import { scheduleSchema } from './schedules.ts';
import { surgeSchema } from './surge.ts';

/**
 * The shape of `headroom.yaml` as users write it. Each target is checked afterwards against
 * the schema of its kind (shared/kinds/), and cross-references (targets, signals,
 * dependencies, tiers) in `validate.ts`, where every target is known.
 */

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

/** An SLO instead of a guessed quantile: Headroom picks the quantile (forecast/slo-tuning.ts). */
const slo = z.strictObject({
  maxShortMinutesPercent: z.number().gte(0).lt(100),
  maxCostVsOracle: z.number().gte(1).optional(),
});

const predictive = z.strictObject({
  target: z.string(),
  signal: z.string(),
  horizon: duration.default(7200),
  quantile: z.number().gt(0.5).lt(1).default(0.95),
  mode: z.enum(['apply', 'forecast-only']).default('apply'),
  slo: slo.optional(),
});

const campaign = z.strictObject({
  name: campaignName,
  start: z.string(),
  duration,
  multiplier,
  targets: z.array(z.string()).min(1),
  floors: z.record(z.string(), z.union([z.number().nonnegative(), z.string()])).optional(),
  approved: z.boolean().optional(),
  /** A recurring campaign's series: its next multiplier can be suggested from the last ones. */
  series: name.optional(),
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
      /** Steps the executor applies at once in one reconcile (each under its own lease). */
      parallelSteps: z.number().int().min(1).max(64).default(1),
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
  /** Limits that couple targets: connection budgets (shared/config/constraints.ts). */
  constraints: z.array(constraintSchema).default([]),
  /** The response to unannounced surges (shared/config/surge.ts). */
  surge: surgeSchema.optional(),
  /** Ceilings on a cron (docs/ceilings.md). */
  schedules: z.array(scheduleSchema).default([]),
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
  /** The capacity review's thresholds and report (shared/capacity/schema.ts). */
  capacity: capacitySchema.optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawCampaign = z.infer<typeof campaign>;
