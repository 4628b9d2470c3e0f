import { Document, isScalar, visit } from 'yaml';
import type { Config } from '../config/types.ts';
import { KINDS, type KindDefinition } from '../kinds/index.ts';
import type { RbacRule } from '../kinds/kind.ts';

/**
 * Headroom's Kubernetes RBAC, generated from the kinds table: the roles hold every verb any
 * kind's actuator calls (so the same roles serve every config), the bindings grant them only
 * where the config's targets live (cluster-wide only when a target needs cluster objects). deploy/kubernetes/rbac.yaml is this output for the reference
 * config (test/iam/rbac.test.ts keeps them equal); `headroom rbac --config FILE` prints it for yours.
 */

/** The Kubernetes group Headroom's identity is mapped to (on EKS through an access entry). */
export const HEADROOM_GROUP = 'headroom';

type Scope = 'namespaced' | 'cluster' | 'own';

const ROLE: Record<Scope, { name: string; comment: string }> = {
  namespaced: {
    name: 'headroom-workloads',
    comment:
      'Workloads whose floors and replicas Headroom steers, bound in each namespace that holds targets',
  },
  cluster: { name: 'headroom-nodes', comment: 'Cluster-scoped objects' },
  own: {
    name: 'headroom-placeholders',
    comment: 'Objects Headroom creates and scales, only in its own namespace',
  },
};

const LABELS = { 'app.kubernetes.io/name': 'headroom' };
const SUBJECTS = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: HEADROOM_GROUP }];

interface Merged {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  why: string[];
}

/** Rules with the same API group and verbs become one rule over their resources. */
function merge(rules: RbacRule[]): Merged[] {
  const out = new Map<string, Merged>();
  for (const r of rules) {
    const key = `${r.apiGroups.join(',')}|${r.verbs.join(',')}`;
    const m = out.get(key) ?? { apiGroups: r.apiGroups, resources: [], verbs: r.verbs, why: [] };
    for (const res of r.resources) if (!m.resources.includes(res)) m.resources.push(res);
    if (r.why && !m.why.includes(r.why)) m.why.push(r.why);
    out.set(key, m);
  }
  return [...out.values()];
}

function rulesOf(kinds: KindDefinition[], scope: Scope): { rules: Merged[]; kinds: string[] } {
  const using = kinds.filter((k) => (k.rbac?.[scope]?.length ?? 0) > 0);
  return { rules: merge(using.flatMap((k) => k.rbac![scope]!)), kinds: using.map((k) => k.name) };
}

/** The namespaces of the config's targets whose kinds need rules of `scope`, sorted. */
function namespacesOf(config: Config, scope: Scope): string[] {
  const out = new Set<string>();
  for (const t of config.targets) {
    const ns = t.spec.namespace;
    if ((KINDS.of(t.kind).rbac?.[scope]?.length ?? 0) > 0 && typeof ns === 'string') out.add(ns);
  }
  return [...out].sort();
}

function doc(value: object, comment: string): Document {
  const d = new Document(value);
  // Lists of names read best on one line, as kubectl users write them.
  visit(d, {
    Seq(_, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
  d.commentBefore = comment
    .split('\n')
    .map((l) => ` ${l}`)
    .join('\n');
  return d;
}

function role(
  scope: Scope,
  kind: 'ClusterRole' | 'Role',
  rules: Merged[],
  kinds: string[],
  namespace?: string,
) {
  const r = ROLE[scope];
  const body = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name: r.name, ...(namespace ? { namespace } : {}), labels: LABELS },
    rules: rules.map(({ apiGroups, resources, verbs }) => ({ apiGroups, resources, verbs })),
  };
  const why = rules.flatMap((x) => x.why.map((w) => `- ${x.resources.join(', ')}: ${w}`));
  return doc(body, [`${r.comment}.`, `Kinds: ${kinds.join(', ')}.`, ...why].join('\n'));
}

function binding(
  scope: Scope,
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  roleKind: string,
  namespace?: string,
) {
  const name = ROLE[scope].name;
  return doc(
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind,
      metadata: { name, ...(namespace ? { namespace } : {}), labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
      subjects: SUBJECTS,
    },
    namespace ? `${name} in namespace ${namespace}, which holds targets.` : `${name} everywhere.`,
  );
}

/** The RBAC manifests for `config`, as one multi-document YAML file. */
export function rbacManifest(config: Config, kinds: KindDefinition[] = KINDS.all()): string {
  const docs: Document[] = [];
  const namespaced = rulesOf(kinds, 'namespaced');
  if (namespaced.rules.length) {
    docs.push(role('namespaced', 'ClusterRole', namespaced.rules, namespaced.kinds));
    for (const ns of namespacesOf(config, 'namespaced'))
      docs.push(binding('namespaced', 'RoleBinding', 'ClusterRole', ns));
  }
  const cluster = rulesOf(kinds, 'cluster');
  const clusterWide = config.targets.some((t) => (KINDS.of(t.kind).rbac?.cluster?.length ?? 0) > 0);
  if (cluster.rules.length && clusterWide) {
    docs.push(role('cluster', 'ClusterRole', cluster.rules, cluster.kinds));
    docs.push(binding('cluster', 'ClusterRoleBinding', 'ClusterRole'));
  }
  const own = rulesOf(kinds, 'own');
  for (const ns of namespacesOf(config, 'own')) {
    docs.push(role('own', 'Role', own.rules, own.kinds, ns));
    docs.push(binding('own', 'RoleBinding', 'Role', ns));
  }
  const header = [
    '# Generated by `headroom rbac` from the kinds table (shared/kinds/): do not edit by hand.',
    `# Least privilege for Headroom's identity, the Kubernetes group \`${HEADROOM_GROUP}\` (on EKS an access`,
    '# entry maps the Lambda role to it; see docs/kubernetes.md). Headroom only reads and patches',
    '# the objects named in its configuration; these are exactly the verbs and resources its',
    '# actuators call, nothing to list, watch or delete.',
  ].join('\n');
  return `${header}\n${docs.map((d) => `---\n${d.toString({ lineWidth: 0, flowCollectionPadding: false })}`).join('')}`;
}
