import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeConnection } from '../../shared/adapters/kubernetes/connection.ts';
import { HpaActuator } from '../../shared/adapters/kubernetes/hpa.ts';
import { KubeconfigSource } from '../../shared/adapters/kubernetes/sources.ts';
import { FakeKubeApi } from './fake-api-server.ts';
import { ctx, deployment, hpa, target, writeKubeconfig } from './helpers.ts';
import { Rbac } from './rbac.ts';

const subject = target('k8s-hpa', {
  namespace: 'kaireon',
  name: 'kaireon-api-hpa',
  bounds: { min: 3, max: 60 },
});
let api: FakeKubeApi | undefined;
const savedKubeconfig = process.env.KUBECONFIG;

async function serve(opts: ConstructorParameters<typeof FakeKubeApi>[0] = {}) {
  api = await FakeKubeApi.start(opts);
  api.put(deployment('kaireon', 'kaireon-api', 3));
  api.put(hpa('kaireon', 'kaireon-api-hpa', 3, 20));
  return api;
}

afterEach(async () => {
  await api?.close();
  api = undefined;
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});

/** An exec credential plugin (what `aws eks get-token` is to kubectl): prints token-1, token-2, ... */
function tokenPlugin(): { dir: string; user: Record<string, unknown> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'headroom-exec-'));
  const script = path.join(dir, 'plugin.mjs');
  writeFileSync(
    script,
    `import { readFileSync, writeFileSync } from 'node:fs';
const f = new URL('./count', import.meta.url);
let n = 0; try { n = Number(readFileSync(f, 'utf8')); } catch {}
writeFileSync(f, String(n + 1));
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'token-' + (n + 1) } }));
`,
  );
  return {
    dir,
    user: {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: process.execPath,
        args: [script],
        interactiveMode: 'Never',
      },
    },
  };
}

describe('Cluster access: kubeconfig context', () => {
  it('reads the context named in the config from the file', async () => {
    const a = await serve();
    const conn = new KubeConnection(
      'dev',
      new KubeconfigSource({ context: 'fake', path: writeKubeconfig(a.url) }),
    );
    expect((await new HpaActuator(conn).read(subject)).value).toBe(3);
    expect(a.requests.every((r) => r.bearer)).toBe(true);
  });

  it('finds the context in the KUBECONFIG list, as kubectl does', async () => {
    const a = await serve();
    const file = writeKubeconfig(a.url, { context: 'kind-headroom' });
    process.env.KUBECONFIG = [path.join(tmpdir(), 'does-not-exist'), file].join(path.delimiter);
    const conn = new KubeConnection('dev', new KubeconfigSource({ context: 'kind-headroom' }));
    expect((await new HpaActuator(conn).read(subject)).value).toBe(3);
  });

  it('says which contexts exist when the configured one does not, and sends nothing', async () => {
    const a = await serve();
    const conn = new KubeConnection(
      'dev',
      new KubeconfigSource({ context: 'prod', path: writeKubeconfig(a.url) }),
    );
    await expect(new HpaActuator(conn).read(subject)).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/kubeconfig context "prod" not found in .* \(contexts: fake\)/),
    });
    expect(a.requests).toHaveLength(0);
  });

  it('says so when the kubeconfig file is missing', async () => {
    const conn = new KubeConnection(
      'dev',
      new KubeconfigSource({ context: 'fake', path: '/nonexistent/kubeconfig' }),
    );
    await expect(new HpaActuator(conn).read(subject)).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('kubeconfig /nonexistent/kubeconfig does not exist'),
    });
  });

  it('runs the exec credential plugin again after a 401 and retries once', async () => {
    const revoked = new Set(['token-1']);
    const a = await serve({
      authenticate: (t) => (t && !revoked.has(t) ? { user: 'headroom', groups: ['headroom'] } : undefined),
    });
    const plugin = tokenPlugin();
    const conn = new KubeConnection(
      'dev',
      new KubeconfigSource({ context: 'fake', path: writeKubeconfig(a.url, { user: plugin.user }) }),
    );
    expect((await new HpaActuator(conn).read(subject)).value).toBe(3);
    expect(a.requests.map((r) => r.status).slice(0, 2)).toEqual([401, 200]);
  });

  it('gives up with unauthorized after one refresh, without the token in the message', async () => {
    const a = await serve({ authenticate: () => undefined });
    const conn = new KubeConnection(
      'dev',
      new KubeconfigSource({
        context: 'fake',
        path: writeKubeconfig(a.url, { token: 'super-secret-token' }),
      }),
    );
    const err = await new HpaActuator(conn).apply(subject, 9, ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unauthorized', retryable: false });
    expect(JSON.stringify({ m: (err as Error).message, s: (err as Error).stack })).not.toContain(
      'super-secret-token',
    );
    expect(a.requests.map((r) => r.status)).toEqual([401, 401]);
    expect(a.get('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa')!.spec.minReplicas).toBe(3);
  });

  it('is unreachable while the API server is down, and works again when it is back', async () => {
    const a = await serve();
    const conn = new KubeConnection(
      'dev',
      new KubeconfigSource({ context: 'fake', path: writeKubeconfig(a.url) }),
    );
    const actuator = new HpaActuator(conn);
    await actuator.read(subject);
    const port = a.port;
    await a.close();
    const err = await actuator.read(subject).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unreachable', retryable: true });
    expect((err as Error).message).toMatch(/API server unreachable \(ECONNREFUSED\)/);
    await a.listen(port);
    expect((await actuator.read(subject)).value).toBe(3);
  });

  it('names the patch rule when Headroom may read but not write', async () => {
    const readOnly = new Rbac([
      {
        kind: 'ClusterRole',
        metadata: { name: 'ro' },
        rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get'] }],
      },
      {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'ro' },
        roleRef: { kind: 'ClusterRole', name: 'ro' },
        subjects: [{ kind: 'Group', name: 'headroom' }],
      },
    ]);
    const a = await serve({ rbac: readOnly });
    const conn = new KubeConnection(
      'dev',
      new KubeconfigSource({ context: 'fake', path: writeKubeconfig(a.url) }),
    );
    const err = await new HpaActuator(conn).apply(subject, 9, ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'forbidden' });
    expect((err as Error).message).toContain(
      'patch horizontalpodautoscalers.autoscaling "kaireon-api-hpa" in namespace kaireon (cluster dev) is forbidden: grant the Headroom group the RBAC rule {apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ["patch"]}',
    );
    expect((err as Error).message).toContain(
      'User "headroom" cannot patch resource "horizontalpodautoscalers"',
    );
    expect(a.get('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa')!.spec.minReplicas).toBe(3);
  });
});

describe('Manifests: deploy/kubernetes', () => {
  it('grant exactly the verbs and resources the actuators call, nothing to list, watch or delete', () => {
    const grants = Rbac.fromDirectory(path.resolve(import.meta.dirname, '../../deploy/kubernetes')).grants();
    const set = new Set(grants.map((g) => `${g.group}/${g.resource}:${g.verb}`));
    expect([...set].sort()).toEqual(
      [
        // The PgBouncer pool size (pgbouncer targets), in the core group.
        '/configmaps:get',
        '/configmaps:patch',
        '/podtemplates:create',
        '/podtemplates:get',
        '/podtemplates:patch',
        'autoscaling.x-k8s.io/capacitybuffers:create',
        'autoscaling.x-k8s.io/capacitybuffers:get',
        'autoscaling.x-k8s.io/capacitybuffers:patch',
        'apps/deployments/scale:get',
        'apps/deployments/scale:patch',
        'apps/deployments:create',
        'apps/deployments:get',
        'apps/deployments:patch',
        'apps/statefulsets/scale:get',
        'apps/statefulsets/scale:patch',
        'apps/statefulsets:get',
        'autoscaling/horizontalpodautoscalers:get',
        'autoscaling/horizontalpodautoscalers:patch',
        'karpenter.sh/nodepools:get',
        'karpenter.sh/nodepools:patch',
        'keda.sh/scaledobjects:get',
        'keda.sh/scaledobjects:patch',
        'scheduling.k8s.io/priorityclasses:create',
        'scheduling.k8s.io/priorityclasses:get',
      ].sort(),
    );
    // Writing Deployments themselves is only granted in Headroom's own namespace.
    expect(grants.filter((g) => g.resource === 'deployments' && g.verb !== 'get').map((g) => g.role)).toEqual(
      ['headroom-placeholders', 'headroom-placeholders'],
    );
    // So are CapacityBuffers and their PodTemplates (capacity-buffer).
    const buffers = grants.filter((g) => ['capacitybuffers', 'podtemplates'].includes(g.resource));
    expect(new Set(buffers.map((g) => g.role))).toEqual(new Set(['headroom-placeholders']));
  });
});
