import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
const SHIPPED = path.resolve(import.meta.dirname, '../../deploy/kubernetes/rbac.yaml');

function rbac(config: string) {
  const r = spawnSync(process.execPath, [BIN, 'rbac', '--config', config], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('Command: headroom rbac (Kubernetes RBAC generated from the kinds table)', () => {
  it('prints exactly the shipped deploy/kubernetes/rbac.yaml for the reference config', () => {
    const r = rbac(EXAMPLE_CONFIG);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // Regenerate with: node bin/headroom.mjs rbac --config ../shared/spec/headroom.example.yaml > deploy/kubernetes/rbac.yaml
    expect(r.out).toBe(readFileSync(SHIPPED, 'utf8'));
  });

  it('binds the workload role in every namespace that holds targets, and nothing cluster-wide without node targets', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-rbac-'));
    const file = path.join(dir, 'headroom.yaml');
    writeFileSync(
      file,
      `version: 1
clusters: { c: { kubeconfig: { context: c } } }
targets:
  api: { kind: k8s-hpa, cluster: c, namespace: shop, name: api, bounds: { min: 2, max: 9 } }
  db-proxy: { kind: k8s-deployment, cluster: c, namespace: data, name: proxy, bounds: { min: 1, max: 3 } }
`,
    );
    const r = rbac(file);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.out).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } },
    );
    expect(docs.map((d) => [d.kind, d.metadata.name, d.metadata.namespace])).toEqual([
      ['ClusterRole', 'headroom-workloads', undefined],
      ['RoleBinding', 'headroom-workloads', 'data'],
      ['RoleBinding', 'headroom-workloads', 'shop'],
    ]);
  });

  it('refuses an invalid config with its problems and prints no manifest', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-rbac-'));
    const file = path.join(dir, 'headroom.yaml');
    writeFileSync(file, 'version: 1\ntargets:\n  api: { kind: k8s-hpa, namespace: shop }\n');
    const r = rbac(file);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('targets.api.cluster');
  });
});
