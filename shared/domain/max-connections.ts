/**
 * PostgreSQL `max_connections` on RDS: the value of the instance's DB parameter group, which
 * is a number or a formula of the instance class (`LEAST({DBInstanceClassMemory/9531392},5000)`
 * in the default groups), evaluated for any class of a ladder with the memory of that class.
 * Pure: the adapter reads the parameter (DescribeDBParameters), the planner evaluates it here.
 */

/** The default of the RDS for PostgreSQL parameter groups. */
export const DEFAULT_MAX_CONNECTIONS = 'LEAST({DBInstanceClassMemory/9531392},5000)';

const GIB = 1024 ** 3;

/** vCPUs of an instance size (`large` = 2, `xlarge` = 4, `NxXlarge` = 4N). */
function vcpusOf(size: string): number | undefined {
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  const m = /^(\d+)xlarge$/.exec(size);
  return m ? Number(m[1]) * 4 : undefined;
}

/** GiB of memory per vCPU by family (the RDS instance class pages: m 4, r 8, x2g 16, x2iedn 32). */
function gibPerVcpu(family: string): number | undefined {
  if (family === 'x2g') return 16;
  if (family === 'x2iedn') return 32;
  if (family.startsWith('z1d')) return 8;
  if (family.startsWith('r')) return 8;
  if (family.startsWith('m')) return 4;
  return undefined;
}

/** Burstable classes: memory by size. */
const BURSTABLE_GIB: Record<string, number> = {
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  '2xlarge': 32,
};

/** Memory of an RDS instance class in bytes, or undefined for a class outside the table (db.serverless). */
export function classMemoryBytes(instanceClass: string): number | undefined {
  const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceClass);
  if (!m) return undefined;
  const [, family, size] = m as unknown as [string, string, string];
  if (family === 't3' || family === 't4g') {
    const gib = BURSTABLE_GIB[size];
    return gib === undefined ? undefined : gib * GIB;
  }
  const cpus = vcpusOf(size);
  const per = gibPerVcpu(family);
  return cpus === undefined || per === undefined ? undefined : cpus * per * GIB;
}

/**
 * Evaluates a `max_connections` parameter value for one instance class: a number, or the RDS
 * formula language (`{DBInstanceClassMemory/N}`, `{DBInstanceClassMemory*N}`, `LEAST(a,b,...)`,
 * `GREATEST(a,b,...)`, `SUM(a,b,...)`). Undefined when the value cannot be evaluated. RDS
 * reserves part of the class memory for the operating system, so the formula of the class
 * memory is an upper estimate; a number in the parameter group is exact.
 */
export function evaluateMaxConnections(value: string, instanceClass: string): number | undefined {
  const memory = classMemoryBytes(instanceClass);
  const expr = value.replace(/\s+/g, '');
  let i = 0;
  const parse = (): number | undefined => {
    const fn = /^(LEAST|GREATEST|SUM)\(/i.exec(expr.slice(i));
    if (fn) {
      i += fn[0].length;
      const args: number[] = [];
      for (;;) {
        const a = parse();
        if (a === undefined) return undefined;
        args.push(a);
        if (expr[i] === ',') i++;
        else if (expr[i] === ')') {
          i++;
          break;
        } else return undefined;
      }
      const name = fn[1]!.toUpperCase();
      if (name === 'LEAST') return Math.min(...args);
      if (name === 'GREATEST') return Math.max(...args);
      return args.reduce((s, x) => s + x, 0);
    }
    const variable = /^\{DBInstanceClassMemory(?:([/*])(\d+(?:\.\d+)?))?\}/.exec(expr.slice(i));
    if (variable) {
      i += variable[0].length;
      if (memory === undefined) return undefined;
      const n = Number(variable[2] ?? 1);
      return variable[1] === '*' ? memory * n : memory / n;
    }
    const num = /^\d+(?:\.\d+)?/.exec(expr.slice(i));
    if (num) {
      i += num[0].length;
      return Number(num[0]);
    }
    return undefined;
  };
  const v = parse();
  return v === undefined || i !== expr.length ? undefined : Math.floor(v);
}
