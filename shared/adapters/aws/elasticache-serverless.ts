import {
  type CacheUsageLimits,
  DescribeServerlessCachesCommand,
  ModifyServerlessCacheCommand,
  type ServerlessCache,
} from '@aws-sdk/client-elasticache';
import { ActuatorError } from '../../domain/errors.ts';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { ElastiCacheApi } from './clients.ts';
import { call } from './errors.ts';

/** What the actuator reads from an `elasticache-serverless` target's spec. */
export type ServerlessCacheNeeds = { serverlessCacheName: string; dataStorageMinimumGB?: number };

/** Remembered values Headroom replaced, restored when the minimum comes back down. */
const KEYS = {
  ecpuMax: 'ecpuPerSecondMaximum',
  storageMin: 'dataStorageMinimum',
  raisedAt: 'limitsRaisedAtMinimum',
} as const;

function limitsOf(c: ServerlessCache) {
  const u = c.CacheUsageLimits;
  return {
    ecpuMin: u?.ECPUPerSecond?.Minimum ?? 0,
    ecpuMax: u?.ECPUPerSecond?.Maximum,
    storageMin: u?.DataStorage?.Minimum,
    storageMax: u?.DataStorage?.Maximum,
    storageUnit: u?.DataStorage?.Unit ?? 'GB',
  };
}

function view(c: ServerlessCache): Actual {
  const l = limitsOf(c);
  const actual: Actual = {
    value: l.ecpuMin,
    details: {
      serverlessCacheName: c.ServerlessCacheName,
      status: c.Status,
      ecpuPerSecond: { minimum: l.ecpuMin || undefined, maximum: l.ecpuMax },
      dataStorageGB: { minimum: l.storageMin, maximum: l.storageMax },
    },
  };
  if (c.Status === 'create-failed' || c.Status === 'deleting')
    actual.blocked = `serverless cache ${c.ServerlessCacheName} is ${c.Status}: Headroom changes nothing`;
  else if (c.Status !== 'available') actual.busy = `serverless cache is ${c.Status}`;
  return actual;
}

/**
 * `elasticache-serverless`: the cache's `ECPUPerSecond.Minimum` (pre-scaling, ECPU/s; 0 means
 * no minimum) with ModifyServerlessCache. While raised it also holds `DataStorage.Minimum` at
 * `dataStorageMinimumGB`, and lifts a Maximum below the new minimum; both are restored when the
 * minimum returns to where it was. A new minimum takes up to an hour to become capacity.
 */
export class ElastiCacheServerlessActuator implements Actuator<ServerlessCacheNeeds> {
  private readonly ec: ElastiCacheApi;
  constructor(deps: { elasticache: ElastiCacheApi }) {
    this.ec = deps.elasticache;
  }

  private async cache(target: Target<ServerlessCacheNeeds>): Promise<ServerlessCache> {
    const name = target.spec.serverlessCacheName;
    const out = await call(`DescribeServerlessCaches ${name}`, () =>
      this.ec.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: name })),
    );
    const c = out.ServerlessCaches?.[0];
    if (!c)
      throw new ActuatorError('not-found', `DescribeServerlessCaches ${name}: no such serverless cache`);
    return c;
  }

  async read(target: Target<ServerlessCacheNeeds>): Promise<Actual> {
    return view(await this.cache(target));
  }

  async apply(
    target: Target<ServerlessCacheNeeds>,
    desired: number,
    ctx: ApplyContext,
  ): Promise<ApplyResult> {
    if (desired !== 0 && (!Number.isInteger(desired) || desired < 1000 || desired > 15_000_000))
      throw new ActuatorError(
        'invalid-request',
        `${target.id}: an ECPU/s minimum is 0 (none) or 1000-15000000, not ${desired}`,
        { retryable: false },
      );
    const name = target.spec.serverlessCacheName;
    const c = await this.cache(target);
    const l = limitsOf(c);
    const actual = view(c);
    const before = {
      ecpuPerSecondMinimum: l.ecpuMin,
      ecpuPerSecondMaximum: l.ecpuMax,
      dataStorageMinimumGB: l.storageMin,
    };
    if (desired === l.ecpuMin) return { status: 'no-op', before, after: before };
    if (actual.blocked) return { status: 'blocked', before, after: before, message: actual.blocked };
    if (actual.busy) return { status: 'in-progress', before, after: before, message: actual.busy };

    let ecpuMax = l.ecpuMax;
    let storageMin = l.storageMin;
    let remember: Record<string, unknown> | undefined;
    let forget: string[] | undefined;
    const raisedAt = ctx.remembered[KEYS.raisedAt] as number | undefined;
    const wantStorage = target.spec.dataStorageMinimumGB;
    if (desired > l.ecpuMin && raisedAt === undefined) {
      // The first raise: note what it replaces (null: unset) so the revert can put it back.
      remember = {
        [KEYS.raisedAt]: l.ecpuMin,
        [KEYS.ecpuMax]: l.ecpuMax ?? null,
        [KEYS.storageMin]: l.storageMin ?? null,
      };
    }
    if (desired > l.ecpuMin) {
      if (ecpuMax !== undefined && ecpuMax < desired) ecpuMax = desired;
      if (wantStorage !== undefined && (storageMin ?? 0) < wantStorage) storageMin = wantStorage;
    } else if (raisedAt !== undefined && desired <= raisedAt) {
      const m = ctx.remembered[KEYS.ecpuMax];
      const s = ctx.remembered[KEYS.storageMin];
      ecpuMax = m === null || m === undefined ? undefined : Math.max(Number(m), desired);
      storageMin = s === null || s === undefined ? undefined : Number(s);
      forget = Object.values(KEYS);
    }
    if (storageMin !== undefined && l.storageMax !== undefined && storageMin > l.storageMax)
      storageMin = l.storageMax;

    const limits: CacheUsageLimits = {
      ECPUPerSecond: {
        ...(desired > 0 ? { Minimum: desired } : {}),
        ...(ecpuMax !== undefined ? { Maximum: ecpuMax } : {}),
      },
    };
    if (storageMin !== undefined || l.storageMax !== undefined)
      limits.DataStorage = {
        Unit: l.storageUnit,
        ...(storageMin !== undefined ? { Minimum: storageMin } : {}),
        ...(l.storageMax !== undefined ? { Maximum: l.storageMax } : {}),
      };
    await call(`ModifyServerlessCache ${name}`, () =>
      this.ec.send(new ModifyServerlessCacheCommand({ ServerlessCacheName: name, CacheUsageLimits: limits })),
    );
    return {
      status: 'applied',
      before,
      after: {
        ecpuPerSecondMinimum: desired,
        ecpuPerSecondMaximum: ecpuMax,
        dataStorageMinimumGB: storageMin,
      },
      remember,
      forget,
      message: `ECPUPerSecond.Minimum ${l.ecpuMin || 'none'} -> ${desired || 'none'} on ${name} (takes up to 60 minutes to apply)`,
    };
  }
}
