import { type DBInstance, DescribeDBParametersCommand } from '@aws-sdk/client-rds';
import type { Clock } from '../../ports/clock.ts';
import type { RdsApi } from './clients.ts';
import { call } from './errors.ts';

/** A parameter group changes rarely: its max_connections is read again after this long. */
export const PARAMETER_TTL_MS = 10 * 60_000;

/**
 * `max_connections` of an RDS instance as its DB parameter group holds it (DescribeDBParameters,
 * every page): a number, or the formula the planner evaluates for each class of the ladder
 * (domain/max-connections.ts). Cached per parameter group for PARAMETER_TTL_MS, so a reconcile a
 * minute costs a few calls every ten minutes. Undefined when the group does not set it (the
 * engine default applies) or cannot be read: the planner then uses the RDS default formula.
 */
export class ParameterReader {
  private readonly cache = new Map<string, { at: number; value: string | undefined }>();
  private readonly clock: Clock;
  constructor(clock: Clock) {
    this.clock = clock;
  }

  async maxConnections(rds: RdsApi, inst: DBInstance): Promise<string | undefined> {
    const group = inst.DBParameterGroups?.[0]?.DBParameterGroupName;
    if (!group) return undefined;
    const now = this.clock.now().getTime();
    const hit = this.cache.get(group);
    if (hit && now - hit.at < PARAMETER_TTL_MS) return hit.value;
    let value: string | undefined;
    try {
      value = await findParameter(rds, group, 'max_connections');
    } catch {
      // Not readable now (throttled, not granted): the formula stands in, the next read retries.
      return hit?.value;
    }
    this.cache.set(group, { at: now, value });
    return value;
  }
}

async function findParameter(rds: RdsApi, group: string, name: string): Promise<string | undefined> {
  let marker: string | undefined;
  do {
    const out = await call(`DescribeDBParameters ${group}`, () =>
      rds.send(new DescribeDBParametersCommand({ DBParameterGroupName: group, Marker: marker })),
    );
    const p = out.Parameters?.find((x) => x.ParameterName === name);
    if (p) return p.ParameterValue;
    marker = out.Marker;
  } while (marker);
  return undefined;
}
