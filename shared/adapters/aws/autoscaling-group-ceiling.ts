import {
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
} from '@aws-sdk/client-auto-scaling';
import type { GroupSizes } from './autoscaling-group-read.ts';
import type { AutoScalingApi } from './clients.ts';
import { call } from './errors.ts';

/**
 * Ceilings on an EC2 Auto Scaling group (docs/ceilings.md): MaxSize is the bound, MinSize and
 * DesiredCapacity come down to it when above. What a ceiling replaced is kept on the group, in
 * the tag `headroom:replaced` (`{"maxSize":{"from":20,"to":0},"desiredCapacity":{"from":3,"to":0}}`),
 * written before the UpdateAutoScalingGroup that applies the ceiling (Auto Scaling has no call that
 * changes sizes and tags at once): a process that dies between the two leaves a record whose
 * `to` is not in force, which the next apply replaces with the group's values as it finds them.
 * The lift restores the sizes first and deletes the tag after: a process that dies between leaves
 * a tag that is no longer in force, and nothing to undo.
 */
export const REPLACED_TAG = 'headroom:replaced';

interface Replaced {
  from: number;
  to: number;
}

/** The sizes a ceiling replaced (MinSize comes back through the executor's `original`). */
export interface CeilingRecord {
  maxSize: Replaced;
  desiredCapacity: Replaced;
}

export function ceilingRecordOf(g: AutoScalingGroup): CeilingRecord | undefined {
  const raw = g.Tags?.find((t) => t.Key === REPLACED_TAG)?.Value;
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<CeilingRecord>;
    const ok = (r: Replaced | undefined) => typeof r?.from === 'number' && typeof r.to === 'number';
    return ok(v.maxSize) && ok(v.desiredCapacity) ? (v as CeilingRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** The ceiling Headroom set that is still in force (MaxSize unchanged since), if any. */
export function ceilingInForce(g: AutoScalingGroup): number | undefined {
  const rec = ceilingRecordOf(g);
  return rec && g.MaxSize === rec.maxSize.to ? rec.maxSize.to : undefined;
}

/** What a ceiling (a number) or its lift (null) makes of the group's sizes, MinSize at `floor`. */
export function ceilingSizes(cur: GroupSizes, floor: number, ceiling: number | null, g: AutoScalingGroup) {
  const rec = ceilingInForce(g) === undefined ? undefined : ceilingRecordOf(g);
  if (ceiling !== null) {
    const minSize = Math.min(floor, ceiling);
    const next: GroupSizes = {
      minSize,
      maxSize: ceiling,
      desiredCapacity: Math.max(minSize, Math.min(cur.desiredCapacity, ceiling)),
    };
    // A ceiling over Headroom's own keeps the first values: the lift restores the originals.
    const record: CeilingRecord = {
      maxSize: { from: rec ? rec.maxSize.from : cur.maxSize, to: next.maxSize },
      desiredCapacity: {
        from: rec ? rec.desiredCapacity.from : cur.desiredCapacity,
        to: next.desiredCapacity,
      },
    };
    return { next, record };
  }
  // Restored only if the ceiling is still the one Headroom set (someone may have changed MaxSize).
  const maxSize = rec ? rec.maxSize.from : cur.maxSize;
  const minSize = Math.min(floor, maxSize);
  const wanted = rec ? rec.desiredCapacity.from : cur.desiredCapacity;
  const next: GroupSizes = {
    minSize,
    maxSize,
    desiredCapacity: Math.min(maxSize, Math.max(minSize, wanted)),
  };
  return { next, record: undefined };
}

/** Writes (or, with `record` undefined, deletes) the group's `headroom:replaced` tag. */
export async function writeCeilingRecord(
  api: AutoScalingApi,
  name: string,
  record: CeilingRecord | undefined,
): Promise<void> {
  const tag = { ResourceId: name, ResourceType: 'auto-scaling-group', Key: REPLACED_TAG };
  if (record)
    await call(
      `CreateOrUpdateTags ${name}`,
      () =>
        api.send(
          new CreateOrUpdateTagsCommand({
            Tags: [{ ...tag, Value: JSON.stringify(record), PropagateAtLaunch: false }],
          }),
        ),
      'autoscaling:CreateOrUpdateTags',
    );
  else
    await call(
      `DeleteTags ${name}`,
      () => api.send(new DeleteTagsCommand({ Tags: [tag] })),
      'autoscaling:DeleteTags',
    );
}
