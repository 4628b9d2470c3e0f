import table from './prices.json' with { type: 'json' };

/**
 * The small public on-demand price list shipped in the package (prices.json, with its source
 * and date): hourly prices of the RDS classes, ElastiCache node types and EC2 types the kinds
 * use, in two regions. A class or region it does not list has no estimate, never a guess.
 */
type Hourly = Record<string, Record<string, number>>;

export const PRICE_SOURCE = { source: table.source, sourceDate: table.sourceDate, currency: table.currency };
export const HOURS_PER_MONTH = table.hoursPerMonth;

/** USD per hour of one instance or node of `type` in `region`, if the list has it. */
export function hourlyPrice(type: string, region: string | undefined): number | undefined {
  if (!region) return undefined;
  const service: Hourly | undefined = type.startsWith('db.')
    ? table.rds
    : type.startsWith('cache.')
      ? table.elasticache
      : table.ec2;
  return service[region]?.[type];
}

/** USD per GiB-month of RDS gp3 storage in `region`, if listed. */
export function storagePricePerGiBMonth(region: string | undefined): number | undefined {
  return region ? (table.rdsStorageGiBMonth as Record<string, number>)[region] : undefined;
}

/** Memory of an RDS class or ElastiCache node type in GiB, if listed. */
export function memoryGiB(type: string): number | undefined {
  return (table.memoryGiB as Record<string, number>)[type];
}

/**
 * RDS for PostgreSQL's default `max_connections`: LEAST(DBInstanceClassMemory / 9531392, 5000)
 * (the default parameter group), with the class's memory from the list.
 */
export function defaultMaxConnections(instanceClass: string): number | undefined {
  const gib = memoryGiB(instanceClass);
  return gib === undefined ? undefined : Math.min(Math.floor((gib * 1024 ** 3) / 9_531_392), 5000);
}
