import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** What the API server asks the authorizer: the request attributes of Kubernetes RBAC. */
export interface RequestAttributes {
  user: string;
  groups: string[];
  verb: string;
  group: string;
  /** With the subresource: `deployments/scale`. */
  resource: string;
  namespace?: string;
  /** Empty for create (the name is not known at authorization time). */
  name?: string;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}
interface Subject {
  kind: string;
  name: string;
}
interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: Subject[];
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

/**
 * Kubernetes RBAC over a set of manifests, as the API server's authorizer evaluates it:
 * ClusterRoleBindings grant their ClusterRole everywhere, RoleBindings grant a Role or a
 * ClusterRole inside their namespace; a rule matches on group, resource (with subresource),
 * verb and, when it lists resourceNames, the object's name.
 */
export class Rbac {
  private readonly docs: Manifest[];

  constructor(docs: Manifest[]) {
    this.docs = docs;
  }

  /** Every `*.yaml` of a directory, as `kubectl apply -f dir/` would read it. */
  static fromDirectory(dir: string): Rbac {
    const docs: Manifest[] = [];
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.yaml'))
      .sort()) {
      for (const d of parseAllDocuments(readFileSync(path.join(dir, f), 'utf8'))) {
        const v = d.toJS() as Manifest | null;
        if (v?.kind) docs.push(v);
      }
    }
    return new Rbac(docs);
  }

  allows(a: RequestAttributes): boolean {
    const subjectMatches = (s: Subject) =>
      (s.kind === 'Group' && a.groups.includes(s.name)) || (s.kind === 'User' && s.name === a.user);
    for (const b of this.docs) {
      if (b.kind !== 'ClusterRoleBinding' && b.kind !== 'RoleBinding') continue;
      if (!b.subjects?.some(subjectMatches) || !b.roleRef) continue;
      if (b.kind === 'RoleBinding' && b.metadata.namespace !== a.namespace) continue;
      const role = this.docs.find(
        (r) =>
          r.kind === b.roleRef!.kind &&
          r.metadata.name === b.roleRef!.name &&
          (r.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace),
      );
      for (const rule of role?.rules ?? []) {
        if (!has(rule.apiGroups, a.group) || !has(rule.resources, a.resource) || !has(rule.verbs, a.verb))
          continue;
        if (rule.resourceNames?.length && !(a.name && rule.resourceNames.includes(a.name))) continue;
        return true;
      }
    }
    return false;
  }

  /** The verbs/resources every role grants, for checks that nothing broader slipped in. */
  grants(): { group: string; resource: string; verb: string; role: string }[] {
    const out: { group: string; resource: string; verb: string; role: string }[] = [];
    for (const r of this.docs) {
      if (r.kind !== 'ClusterRole' && r.kind !== 'Role') continue;
      for (const rule of r.rules ?? [])
        for (const group of rule.apiGroups ?? [])
          for (const resource of rule.resources ?? [])
            for (const verb of rule.verbs ?? []) out.push({ group, resource, verb, role: r.metadata.name });
    }
    return out;
  }
}
