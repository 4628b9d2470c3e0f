import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { AddTagsToResourceCommand, type DBInstance } from '@aws-sdk/client-rds';
import { iso } from '../../domain/time.ts';
import type { CloudWatchApi, RdsApi } from './clients.ts';
import { call } from './errors.ts';

/** `storage: { minFreePercent, maxAllocatedGiB }` of an rds-instance target. */
export interface StoragePolicy {
  minFreePercent: number;
  maxAllocatedGiB: number;
}

/** When Headroom last grew the storage: RDS allows the next storage change 6 h later at the earliest. */
export const STORAGE_TAG_KEY = 'headroom:storage-modified-at';
export const STORAGE_INTERVAL_MS = 6 * 3600_000;
const GIB = 1024 ** 3;

/**
 * Why RDS refuses a storage change now, if it does: one pending or being optimised, or the
 * last (recorded by Headroom on the instance) less than 6 hours ago.
 */
export function storageHold(inst: DBInstance, now: number): string | undefined {
  if (inst.PendingModifiedValues?.AllocatedStorage !== undefined)
    return `a storage change to ${inst.PendingModifiedValues.AllocatedStorage} GiB is already pending`;
  if (inst.DBInstanceStatus === 'storage-optimization')
    return 'the last storage change is still being optimised (RDS refuses another until it completes)';
  const last = Date.parse(inst.TagList?.find((t) => t.Key === STORAGE_TAG_KEY)?.Value ?? '');
  if (Number.isFinite(last) && now - last < STORAGE_INTERVAL_MS)
    return `storage last changed at ${iso(last)}; RDS allows the next change after ${iso(last + STORAGE_INTERVAL_MS)}`;
  return undefined;
}

/** Records a storage change on the instance itself, where the next check (and a person) finds it. */
export async function tagStorageChange(
  rds: RdsApi,
  inst: DBInstance,
  now: Date,
  after: Record<string, unknown>,
): Promise<void> {
  if (!inst.DBInstanceArn) return;
  try {
    await call(`AddTagsToResource ${inst.DBInstanceIdentifier}`, () =>
      rds.send(
        new AddTagsToResourceCommand({
          ResourceName: inst.DBInstanceArn,
          Tags: [{ Key: STORAGE_TAG_KEY, Value: iso(now) }],
        }),
      ),
    );
  } catch (err) {
    after.storageTag = `not tagged: ${(err as Error).message}`;
  }
}

/** +10 % of `allocated`, rounded up to whole GiB (without float noise: 100 x 1.1 is 110, not 111). */
export function tenPercentMore(allocated: number): number {
  return Math.ceil(allocated * 1.1 - 1e-9);
}

export type StoragePlan =
  | { kind: 'grow'; fromGiB: number; toGiB: number; freePercent: number }
  | { kind: 'enough'; freePercent: number }
  | { kind: 'skip'; why: string };

/**
 * Whether to grow the allocated storage with the next modification, by the RDS rules: at least
 * +10 % per change, never while a storage change is pending or being optimised, and not within
 * 6 hours of the last one; grown to leave `minFreePercent` free, capped at `maxAllocatedGiB`.
 */
export function planStorage(
  policy: StoragePolicy,
  inst: DBInstance,
  freeBytes: number | undefined,
  now: number,
): StoragePlan {
  const allocated = inst.AllocatedStorage ?? 0;
  if ((inst.Engine ?? '').startsWith('aurora'))
    return { kind: 'skip', why: 'Aurora storage grows by itself' };
  const hold = storageHold(inst, now);
  if (hold) return { kind: 'skip', why: hold };
  if (freeBytes === undefined || allocated <= 0)
    return { kind: 'skip', why: 'no FreeStorageSpace datapoint in the last 15 minutes' };
  const freeGiB = freeBytes / GIB;
  const freePercent = Math.round((freeGiB / allocated) * 1000) / 10;
  if (freePercent >= policy.minFreePercent) return { kind: 'enough', freePercent };
  const minimum = tenPercentMore(allocated);
  const used = Math.max(0, allocated - freeGiB);
  const needed = Math.ceil(used / (1 - policy.minFreePercent / 100));
  const toGiB = Math.min(policy.maxAllocatedGiB, Math.max(minimum, needed));
  if (toGiB < minimum)
    return {
      kind: 'skip',
      why: `${freePercent}% free, but maxAllocatedGiB ${policy.maxAllocatedGiB} leaves no room for the +10% RDS requires`,
    };
  return { kind: 'grow', fromGiB: allocated, toGiB, freePercent };
}

/** The lowest FreeStorageSpace (bytes) of the last 15 minutes, from CloudWatch. */
export async function freeStorageBytes(
  cw: CloudWatchApi,
  identifier: string,
  now: Date,
): Promise<number | undefined> {
  const out = await call(`GetMetricData FreeStorageSpace ${identifier}`, () =>
    cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - 15 * 60_000),
        EndTime: now,
        ScanBy: 'TimestampDescending',
        MetricDataQueries: [
          {
            Id: 'free',
            ReturnData: true,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/RDS',
                MetricName: 'FreeStorageSpace',
                Dimensions: [{ Name: 'DBInstanceIdentifier', Value: identifier }],
              },
              Period: 60,
              Stat: 'Minimum',
            },
          },
        ],
      }),
    ),
  );
  const values = out.MetricDataResults?.find((r) => r.Id === 'free')?.Values ?? [];
  return values.length ? Math.min(...values) : undefined;
}
