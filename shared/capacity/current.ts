import type { Actual, Target } from '../domain/types.ts';
import { describeError } from '../executor/executor.ts';
import type { ActuatorRegistry } from '../ports/actuator.ts';
import type { CapacitySection } from './schema.ts';

/**
 * What each reviewed target runs on now, the base of its recommendations: read through the
 * kind's actuator (`read()`, the path the brain uses) from AWS or the simulated cloud of
 * `--state`, overridden by `capacity.current.<id>`, else assumed from the config (the tier
 * at bounds.min, the baseline or bounds.min replicas). A failed read is kept as the reason,
 * and the review goes on with what the config assumes.
 */

export type CurrentSource = 'aws' | 'sim' | 'config' | 'assumed';

/** Where current values are read: the registry of the real cloud, or of `--state`'s simulated one. */
export interface CurrentReader {
  cloud: 'aws' | 'sim';
  actuators: ActuatorRegistry;
  /** Targets this reader holds (the simulated cloud: those in its file); default every one. */
  has?(targetId: string): boolean;
}

export interface TargetCurrent {
  source: CurrentSource;
  /** The class or node type a ladder target runs on. */
  tier?: string;
  /** Read replicas, or replicas per shard. */
  replicas?: number;
  shards?: number;
  /** An RDS instance's allocated storage (GiB), from its own read or an `rds-storage` target. */
  storageGiB?: number;
  storageSource?: CurrentSource;
  /** Why the state could not be read (mapped like the brain's read failures). */
  error?: string;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The fields of a reading, by kind: AWS details where the actuator gives them, else the steered value. */
function fromActual(t: Target, a: Actual): Omit<TargetCurrent, 'source'> {
  const d = a.details ?? {};
  const dimension = (t.spec as { dimension?: string }).dimension;
  const steeredTier = t.tiers && a.value >= 0 ? t.tiers[a.value] : undefined;
  const tier =
    typeof d.instanceClass === 'string'
      ? d.instanceClass
      : typeof d.cacheNodeType === 'string'
        ? d.cacheNodeType
        : steeredTier;
  const out: Omit<TargetCurrent, 'source'> = {};
  if (tier && (t.tiers || t.kind === 'elasticache-replication-group')) out.tier = tier;
  if (t.kind === 'rds-read-replicas') out.replicas = a.value;
  if (t.kind === 'elasticache-replication-group') {
    out.replicas = num(d.replicasPerShard) ?? (dimension === 'replicas' ? a.value : undefined);
    out.shards = num(d.shards) ?? (dimension === 'shards' ? a.value : undefined);
  }
  if (t.kind === 'rds-storage') out.storageGiB = num(d.allocatedStorageGiB) ?? a.value;
  else if (num(d.allocatedStorageGiB) !== undefined) out.storageGiB = num(d.allocatedStorageGiB);
  return out;
}

/** What the config assumes when nothing was read: the tier at bounds.min, the baseline count. */
function assumed(t: Target): Omit<TargetCurrent, 'source'> {
  if (t.tiers) return { tier: t.tiers[t.bounds.min] };
  const dimension = (t.spec as { dimension?: string }).dimension;
  const count = t.baseline ?? t.bounds.min;
  if (t.kind === 'rds-read-replicas' || dimension === 'replicas') return { replicas: count };
  if (dimension === 'shards') return { shards: count };
  return {};
}

async function readOne(
  t: Target,
  reader: CurrentReader | undefined,
): Promise<{ fields?: Omit<TargetCurrent, 'source'>; error?: string }> {
  if (!reader || !(reader.has?.(t.id) ?? true)) return {};
  try {
    return { fields: fromActual(t, await reader.actuators(t).read(t)) };
  } catch (err) {
    return { error: describeError(err) };
  }
}

/** The `rds-storage` target that grows the same instance, if the config declares one. */
function storageTargetOf(t: Target, all: Target[]): Target | undefined {
  const id = (t.spec as { identifier?: unknown }).identifier;
  return all.find((s) => s.kind === 'rds-storage' && (s.spec as { identifier?: unknown }).identifier === id);
}

/** The current state of each of `targets` (read in parallel), by target id. */
export async function readCurrent(
  targets: Target[],
  all: Target[],
  section: CapacitySection,
  reader: CurrentReader | undefined,
): Promise<Map<string, TargetCurrent>> {
  const entries = await Promise.all(
    targets.map(async (t): Promise<[string, TargetCurrent]> => {
      const [own, storage] = await Promise.all([
        readOne(t, reader),
        t.kind === 'rds-instance' ? storageOf(t, all, reader) : undefined,
      ]);
      const c: TargetCurrent = own.fields
        ? { source: reader!.cloud, ...own.fields }
        : { source: 'assumed', ...assumed(t), ...(own.error ? { error: own.error } : {}) };
      if (c.storageGiB !== undefined) c.storageSource = c.source;
      else if (storage) Object.assign(c, storage);
      const configured = section.current[t.id];
      if (configured !== undefined) {
        c.tier = configured;
        c.source = 'config';
      }
      return [t.id, c];
    }),
  );
  return new Map(entries);
}

async function storageOf(
  t: Target,
  all: Target[],
  reader: CurrentReader | undefined,
): Promise<Pick<TargetCurrent, 'storageGiB' | 'storageSource'> | undefined> {
  const s = storageTargetOf(t, all);
  if (!s) return undefined;
  const r = await readOne(s, reader);
  return r.fields?.storageGiB !== undefined
    ? { storageGiB: r.fields.storageGiB, storageSource: reader!.cloud }
    : undefined;
}
