import { describe, expect, it } from 'vitest';
import { dependentsOf, topologicalOrder } from '../../shared/planner/graph.ts';
import { exampleConfig } from '../helpers/example.ts';

const config = exampleConfig();
const ids = (ts: { id: string }[]) => ts.map((t) => t.id);

describe('planner graph', () => {
  it('orders dependencies before their dependents, and Karpenter nodes before the pods of their cluster', () => {
    const order = ids(topologicalOrder(config.targets));
    const precedes = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    precedes('db-readers', 'api');
    precedes('pgbouncer', 'api');
    precedes('nodes', 'api');
    precedes('nodes', 'workers');
    precedes('nodes', 'pgbouncer');
    expect([...order].sort()).toEqual(ids(config.targets).sort());
  });

  it('keeps declaration order among targets that do not depend on each other', () => {
    const order = ids(topologicalOrder(config.targets));
    const free = ['db', 'cache'];
    const declared = ids(config.targets).filter((id) => free.includes(id));
    expect(order.filter((id) => free.includes(id))).toEqual(declared);
  });

  it('lists the targets that declare a dependency, and none for a target nobody depends on', () => {
    expect(ids(dependentsOf(config.targets, 'pgbouncer'))).toEqual(['api']);
    expect(ids(dependentsOf(config.targets, 'db-readers'))).toEqual(['api']);
    expect(dependentsOf(config.targets, 'cache')).toEqual([]);
  });
});
