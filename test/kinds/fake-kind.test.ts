import { beforeAll, describe, expect, it } from 'vitest';
import { awsActuators } from '../../shared/app/actuators.ts';
import { worldActuators } from '../../shared/backtest/world/actuators.ts';
import { World } from '../../shared/backtest/world/world.ts';
import { defaultCampaignTargets } from '../../shared/campaigns/campaigns.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { resolveSimSettings } from '../../shared/config/sim-settings.ts';
import { ConfigError } from '../../shared/domain/errors.ts';
import type { Intent } from '../../shared/domain/types.ts';
import { headroomPolicy } from '../../shared/iam/index.ts';
import { rbacManifest } from '../../shared/iam/rbac.ts';
import { KINDS } from '../../shared/kinds/index.ts';
import { topologicalOrder } from '../../shared/planner/graph.ts';
import { plan } from '../../shared/planner/plan.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { deployment } from '../iam/helpers.ts';
import { argoRollout, replicas } from './fixtures/argo-rollout.ts';
import { openSearchDataNodes } from './fixtures/opensearch-data-nodes.ts';

const T0 = Date.parse('2030-05-06T08:00:00Z');

const YAML = `version: 1
clusters: { prod: { eksCluster: shop-prod, region: eu-central-1 } }
signals: { traffic: { source: sim } }
targets:
  nodes:
    kind: karpenter-headroom
    cluster: prod
    namespace: headroom
    nodePool: default
    placeholder: { cpu: 3500m, memory: 14Gi }
    bounds: { min: 0, max: 10 }
  checkout:
    kind: argo-rollout
    cluster: prod
    namespace: shop
    name: checkout
    bounds: { min: 2, max: 40 }
  search:
    kind: opensearch-data-nodes
    region: eu-central-1
    domain: Shop-Search
    bounds: { min: 3, max: 12 }
    maxStepPercent: 100
`;

function intent(target: string, floor: number): Intent {
  return {
    id: `i-${target}`,
    target,
    floor,
    from: new Date(T0).toISOString(),
    until: new Date(T0 + 3_600_000).toISOString(),
    reason: `floor ${floor} for the launch`,
    source: { kind: 'slack', ref: 'test' },
    createdAt: new Date(T0).toISOString(),
  };
}

describe('A kind added as one module and one table line', () => {
  beforeAll(() => {
    // The "one line in the table" of a new kind.
    KINDS.add(argoRollout);
    KINDS.add(openSearchDataNodes);
  });

  it('is validated with its own schema, limits and lead time', () => {
    const config = parseConfig(YAML);
    const search = config.targets.find((t) => t.id === 'search')!;
    expect(search).toMatchObject({
      kind: 'opensearch-data-nodes',
      field: 'instanceCount',
      leadTimeSeconds: 1500,
    });
    expect(() => parseConfig(YAML.replace('domain: Shop-Search', 'domian: Shop-Search'))).toThrow(
      ConfigError,
    );
    const problems = (() => {
      try {
        parseConfig(YAML.replace('max: 12', 'max: 90').replace('    name: checkout\n', ''));
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    })();
    expect(problems).toEqual([
      expect.stringMatching(/^targets\.checkout\.name: /),
      'targets.search.bounds.max: a domain has at most 80 data nodes',
    ]);
    expect(() => parseConfig(YAML.replace('kind: argo-rollout', 'kind: argo-rollouts'))).toThrow(
      /unknown kind "argo-rollouts" \(one of .*argo-rollout,.*opensearch-data-nodes/,
    );
  });

  it('gets its IAM grants in the deployed policy, scoped to its resource', () => {
    const { statements } = headroomPolicy(parseConfig(YAML), deployment());
    expect(statements.filter((s) => s.Action.includes('es:UpdateDomainConfig'))).toEqual([
      expect.objectContaining({
        Action: ['es:DescribeDomain', 'es:UpdateDomainConfig'],
        Resource: ['arn:aws:es:eu-central-1:123456789012:domain/shop-search'],
      }),
    ]);
  });

  it('gets its RBAC rules in the generated manifest, bound in its targets namespace', () => {
    const manifest = rbacManifest(parseConfig(YAML));
    expect(manifest).toContain(
      '- apiGroups: [argoproj.io]\n    resources: [rollouts/scale]\n    verbs: [get, patch]',
    );
    expect(manifest).toMatch(
      /kind: RoleBinding\nmetadata:\n {2}name: headroom-workloads\n {2}namespace: shop\n/,
    );
  });

  it('is planned by its flags: a workload after the node headroom, an exclusive resource staged by its lead time', () => {
    const config = parseConfig(YAML);
    expect(topologicalOrder(config.targets).map((t) => t.id)).toEqual(['nodes', 'checkout', 'search']);
    expect(defaultCampaignTargets(config)).toEqual(['checkout']);
    const p = plan(
      config,
      [intent('checkout', 12), intent('search', 12)],
      { nodes: { value: 0 }, checkout: { value: 2 }, search: { value: 3 } },
      { targets: {}, approvals: {} },
      new Date(T0),
    );
    const checkout = p.targets.find((t) => t.id === 'checkout')!;
    expect(checkout.decision).toBe('scale-up');
    expect(checkout.steps.map((s) => s.set)).toEqual([{ replicas: 6 }, { replicas: 12 }]);
    const search = p.targets.find((t) => t.id === 'search')!;
    expect(search.steps.map((s) => s.set)).toEqual([{ instanceCount: 6 }, { instanceCount: 12 }]);
    const gap = Date.parse(search.steps[1]!.at!) - Date.parse(search.steps[0]!.at!);
    expect(gap).toBe(1500_000);
  });

  it('drives its actuator through the registry, loaded on first use', async () => {
    const config = parseConfig(YAML);
    const checkout = config.targets.find((t) => t.id === 'checkout')!;
    const actuator = awsActuators(config, new ManualClock(new Date(T0)))(checkout);
    const ctx = {
      stepId: 's',
      reason: 'test',
      now: new Date(T0),
      remembered: {},
      approved: false,
      campaignActive: false,
    };
    await actuator.apply(checkout, 9, ctx);
    expect(replicas.get('checkout')).toBe(9);
    expect(await actuator.read(checkout)).toMatchObject({ value: 9 });
  });

  it('plays its world role in the backtest: pods in the cluster, an AWS resource ready after its lead time', async () => {
    const config = parseConfig(YAML);
    const world = new World({
      config,
      settings: resolveSimSettings(config.backtest),
      signal: 'traffic',
      demand: () => 10,
      start: T0,
    });
    expect(world.workloads.get('checkout')?.workload.replicas).toBe(2);
    const clock = new ManualClock(new Date(T0));
    const search = config.targets.find((t) => t.id === 'search')!;
    const actuator = worldActuators(world, clock)(search);
    const ctx = {
      stepId: 's',
      reason: 'test',
      now: new Date(T0),
      remembered: {},
      approved: false,
      campaignActive: false,
    };
    expect(await actuator.apply(search, 6, ctx)).toMatchObject({
      status: 'applied',
      after: { instanceCount: 6 },
    });
    expect(await actuator.read(search)).toMatchObject({ value: 6, ready: 3 });
    clock.set(new Date(T0 + 1500_000));
    expect(await actuator.read(search)).toMatchObject({ value: 6, ready: 6 });
  });
});
