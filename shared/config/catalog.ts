/**
 * Instance classes and node types Headroom accepts on a ladder. A typo in a class name would
 * otherwise surface only as an AWS error in the middle of a campaign, so the config rejects it.
 * Families and sizes from the RDS and ElastiCache "supported instance/node types" pages.
 */
const S = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'];
const S24 = [...S, '24xlarge'];
const S32 = [...S24, '32xlarge'];
const S48 = [...S24, '48xlarge'];
const T = ['micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'];

const RDS_FAMILIES: Record<string, string[]> = {
  t3: T,
  t4g: T,
  m5: S24,
  m5d: S24,
  m6g: S,
  m6gd: S,
  m6i: S32,
  m6id: S32,
  m6in: S32,
  m6idn: S32,
  m7g: S,
  m7i: S48,
  m8g: S48,
  r5: S24,
  r5b: S24,
  r5d: S24,
  r6g: S,
  r6gd: S,
  r6i: S32,
  r6id: S32,
  r6in: S32,
  r6idn: S32,
  r7g: S,
  r7i: S48,
  r8g: S48,
  x2g: S,
  x2iedn: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge', '24xlarge', '32xlarge'],
  z1d: ['large', 'xlarge', '2xlarge', '3xlarge', '6xlarge', '12xlarge'],
};

const CACHE_FAMILIES: Record<string, string[]> = {
  t3: ['micro', 'small', 'medium'],
  t4g: ['micro', 'small', 'medium'],
  m5: ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge'],
  m6g: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'],
  m7g: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'],
  r5: ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge'],
  r6g: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'],
  r6gd: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'],
  r7g: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'],
  c7gn: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'],
};

function inCatalog(prefix: string, families: Record<string, string[]>, name: string): boolean {
  const m = new RegExp(`^${prefix}\\.([a-z0-9]+)\\.([a-z0-9]+)$`).exec(name);
  if (!m) return false;
  return families[m[1]!]?.includes(m[2]!) ?? false;
}

export function isRdsInstanceClass(name: string): boolean {
  return name === 'db.serverless' || inCatalog('db', RDS_FAMILIES, name);
}

export function isCacheNodeType(name: string): boolean {
  return inCatalog('cache', CACHE_FAMILIES, name);
}
