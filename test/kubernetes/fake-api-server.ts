import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mergePatch } from './merge-patch.ts';
import type { Rbac } from './rbac.ts';

/** The API types the fake serves, as discovery would list them. */
export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Has the `scale` subresource. */
  scale?: boolean;
}

export const TYPES: ResourceType[] = [
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    scale: true,
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    kind: 'StatefulSet',
    namespaced: true,
    scale: true,
  },
  {
    group: 'autoscaling',
    version: 'v2',
    resource: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
  },
  {
    group: 'keda.sh',
    version: 'v1alpha1',
    resource: 'scaledobjects',
    kind: 'ScaledObject',
    namespaced: true,
  },
  { group: 'karpenter.sh', version: 'v1', resource: 'nodepools', kind: 'NodePool', namespaced: false },
  {
    group: 'scheduling.k8s.io',
    version: 'v1',
    resource: 'priorityclasses',
    kind: 'PriorityClass',
    namespaced: false,
  },
  { group: '', version: 'v1', resource: 'podtemplates', kind: 'PodTemplate', namespaced: true },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
];

/** The CapacityBuffer CRD, served only by clusters that install it (FakeKubeOptions.capacityBuffers). */
export const CAPACITY_BUFFER_GROUP = 'autoscaling.x-k8s.io';
const capacityBufferType = (version: string): ResourceType => ({
  group: CAPACITY_BUFFER_GROUP,
  version,
  resource: 'capacitybuffers',
  kind: 'CapacityBuffer',
  namespaced: true,
});

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are free-form JSON here.
export type KObject = Record<string, any>;

export interface Identity {
  user: string;
  groups: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  contentType?: string;
  body?: unknown;
  status: number;
  /** Whether a bearer token was sent (the token itself is never recorded). */
  bearer: boolean;
}

export interface FakeKubeOptions {
  /** Who a bearer token is; default: any token is user `headroom` in group `headroom`. */
  authenticate?: (token: string | undefined) => Identity | undefined;
  /** Authorizer; default: everything is allowed. */
  rbac?: Rbac;
  /** Serve HTTPS with this key and certificate (the EKS path verifies the cluster CA). */
  tls?: { key: string; cert: string };
  /** Serve the CapacityBuffer CRD at these versions (first preferred); absent: not installed. */
  capacityBuffers?: string[];
}

interface Fault {
  method?: string;
  resource?: string;
  name?: string;
  status: number;
  reason: string;
  times: number;
  message?: string;
}

function status(code: number, reason: string, message: string, details?: KObject): KObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  };
}

class HttpError extends Error {
  readonly body: KObject;
  constructor(body: KObject) {
    super(body.message);
    this.body = body;
  }
}

const apiVersionOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);
const qualified = (t: ResourceType) => (t.group ? `${t.resource}.${t.group}` : t.resource);

/**
 * A Kubernetes API server for tests, over real HTTP and JSON: GET, merge-patch PATCH (with
 * `resourceVersion` preconditions answering 409), POST, the `scale` subresource of Deployments
 * and StatefulSets, bearer authentication (401), RBAC authorization (403 with the API
 * server's own message), validation (422) and Status objects for every error. A minimal
 * workload controller keeps one pod per replica, with its PriorityClass's priority.
 */
export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, KObject>();
  private readonly podsByOwner = new Map<string, KObject[]>();
  private readonly faults: Fault[] = [];
  private readonly concurrentWriters = new Map<string, { times: number; mutate?: (o: KObject) => void }>();
  private readonly opts: FakeKubeOptions;
  /** The API types this cluster serves: the built-in TYPES and the CRDs it has installed. */
  readonly types: ResourceType[];
  private rv = 1000;
  private server?: Server;
  url = '';

  constructor(opts: FakeKubeOptions = {}) {
    this.opts = opts;
    this.types = [...TYPES, ...(opts.capacityBuffers ?? []).map(capacityBufferType)];
  }

  static async start(opts: FakeKubeOptions = {}): Promise<FakeKubeApi> {
    const api = new FakeKubeApi(opts);
    await api.listen();
    return api;
  }

  async listen(port = 0): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = this.opts.tls ? createHttpsServer(this.opts.tls, handler) : createHttpServer(handler);
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    const p = (this.server.address() as AddressInfo).port;
    this.url = `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${p}`;
  }

  /** Stops answering (connections refused) until `listen` again on the same port. */
  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  // Seeding and inspection -----------------------------------------------------------------

  /** Creates or replaces an object as an administrator would (`kubectl apply`). */
  put(obj: KObject): KObject {
    const t = this.typeOfObject(obj);
    const stored = structuredClone(obj);
    stored.metadata = { uid: randomUUID(), creationTimestamp: '2026-01-01T00:00:00Z', ...stored.metadata };
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(this.key(t, stored.metadata.namespace, stored.metadata.name), stored);
    this.afterWrite(t, stored);
    return structuredClone(stored);
  }

  /** A person changes the object (`kubectl edit` records itself as the field manager). */
  edit(
    resource: string,
    namespace: string | undefined,
    name: string,
    mutate: (o: KObject) => void,
    manager = 'kubectl-edit',
  ): void {
    const t = this.types.find((x) => x.resource === resource)!;
    const key = this.key(t, namespace, name);
    const current = this.objects.get(key)!;
    const next = structuredClone(current);
    mutate(next);
    track(current, next, manager, undefined);
    next.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, next);
    this.afterWrite(t, next);
  }

  get(resource: string, namespace: string | undefined, name: string): KObject | undefined {
    const t = this.types.find((x) => x.resource === resource)!;
    const o = this.objects.get(this.key(t, namespace, name));
    return o && structuredClone(o);
  }

  /** Pods the workload controller runs for a Deployment or StatefulSet. */
  pods(namespace: string, owner: string): KObject[] {
    return structuredClone(this.podsByOwner.get(`${namespace}/${owner}`) ?? []);
  }

  /** Requests with this method (and resource path fragment), in order. */
  calls(method: string, fragment = ''): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.includes(fragment));
  }

  /** The next `times` requests matching answer `status` with a Status of `reason`. */
  failNext(
    match: { method?: string; resource?: string; name?: string },
    code: number,
    reason: string,
    times = 1,
    message?: string,
  ): void {
    this.faults.push({ ...match, status: code, reason, times, message });
  }

  /**
   * Someone else writes the object right before each of the next `times` writes to it: the
   * write carries a stale resourceVersion and is answered 409 Conflict, as in a real cluster.
   */
  concurrentWrites(
    resource: string,
    namespace: string | undefined,
    name: string,
    times: number,
    mutate?: (o: KObject) => void,
  ): void {
    const t = this.types.find((x) => x.resource === resource)!;
    this.concurrentWriters.set(this.key(t, namespace, name), { times, mutate });
  }

  // HTTP -----------------------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        contentType: req.headers['content-type'],
        status: 200,
        bearer: /^Bearer \S+/.test(req.headers.authorization ?? ''),
      };
      let code = 200;
      let body: KObject;
      try {
        if (raw) {
          try {
            rec.body = JSON.parse(raw);
          } catch {
            throw new HttpError(status(400, 'BadRequest', 'the body is not JSON'));
          }
        }
        [code, body] = this.route(
          req,
          url.pathname,
          rec.body,
          url.searchParams.get('fieldManager') ?? 'unknown',
        );
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        code = err.body.code;
        body = err.body;
      }
      rec.status = code;
      this.requests.push(rec);
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  }

  private route(req: IncomingMessage, path: string, body: unknown, manager: string): [number, KObject] {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const who = this.opts.authenticate
      ? this.opts.authenticate(token)
      : token
        ? { user: 'headroom', groups: ['headroom', 'system:authenticated'] }
        : undefined;
    if (!who) throw new HttpError(status(401, 'Unauthorized', 'Unauthorized'));

    // Discovery is open to every authenticated user (the system:discovery ClusterRole).
    if (path === '/apis' && req.method === 'GET') return [200, this.discovery()];
    const m =
      /^\/(?:apis\/([^/]+)|api)\/([^/]+)\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(
        path,
      );
    if (!m) throw new HttpError(status(404, 'NotFound', 'the server could not find the requested resource'));
    const [, group = '', version, namespace, resource, name, sub] = m as unknown as (string | undefined)[];
    const t = this.types.find((x) => x.group === group && x.version === version && x.resource === resource);
    if (!t || t.namespaced !== !!namespace || (sub && !(sub === 'scale' && t.scale)))
      throw new HttpError(status(404, 'NotFound', 'the server could not find the requested resource'));

    const method = req.method ?? 'GET';
    const verb =
      method === 'GET'
        ? 'get'
        : method === 'PATCH'
          ? 'patch'
          : method === 'POST'
            ? 'create'
            : method.toLowerCase();
    const fullResource = sub ? `${t.resource}/${sub}` : t.resource;
    const objName = name ?? (body as KObject | undefined)?.metadata?.name ?? '';
    if (
      this.opts.rbac &&
      !this.opts.rbac.allows({
        user: who.user,
        groups: who.groups,
        verb,
        group: t.group,
        resource: fullResource,
        namespace,
        name,
      })
    )
      throw new HttpError(
        status(
          403,
          'Forbidden',
          `${qualified(t)} "${objName}" is forbidden: User "${who.user}" cannot ${verb} resource "${fullResource}" in API group "${t.group}" ${namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'}`,
          { name: objName, group: t.group, kind: t.resource },
        ),
      );
    const fault = this.faults.find(
      (f) =>
        (!f.method || f.method === method) &&
        (!f.resource || f.resource === fullResource) &&
        (!f.name || f.name === objName),
    );
    if (fault) {
      if (--fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      throw new HttpError(status(fault.status, fault.reason, fault.message ?? `injected ${fault.reason}`));
    }

    if (method === 'POST' && !name) return [201, this.create(t, namespace, body as KObject)];
    if (!name) throw new HttpError(status(405, 'MethodNotAllowed', 'the server does not allow this method'));
    const key = this.key(t, namespace, name);
    const current = this.objects.get(key);
    if (!current)
      throw new HttpError(
        status(404, 'NotFound', `${qualified(t)} "${name}" not found`, {
          name,
          group: t.group,
          kind: t.resource,
        }),
      );
    if (method === 'GET') return [200, sub ? this.scaleOf(current) : structuredClone(current)];
    if (method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/merge-patch+json')
        throw new HttpError(
          status(
            415,
            'UnsupportedMediaType',
            `the fake serves application/merge-patch+json only, got ${req.headers['content-type']}`,
          ),
        );
      return [200, this.patch(t, key, sub, body as KObject, manager)];
    }
    throw new HttpError(
      status(405, 'MethodNotAllowed', `the server does not allow this method on ${fullResource}`),
    );
  }

  /** `GET /apis`: the groups served and their versions, the first listed preferred. */
  private discovery(): KObject {
    const groups = new Map<string, string[]>();
    for (const t of this.types) {
      if (!t.group) continue;
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => {
        const listed = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
        return { name, versions: listed, preferredVersion: listed[0] };
      }),
    };
  }

  private create(t: ResourceType, namespace: string | undefined, body: KObject): KObject {
    const name = body?.metadata?.name;
    if (!name)
      throw new HttpError(status(422, 'Invalid', `${t.kind} is invalid: metadata.name: Required value`));
    const key = this.key(t, namespace, name);
    if (this.objects.has(key))
      throw new HttpError(
        status(409, 'AlreadyExists', `${qualified(t)} "${name}" already exists`, { name, kind: t.resource }),
      );
    const obj = structuredClone(body);
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    obj.metadata = {
      ...obj.metadata,
      namespace,
      uid: randomUUID(),
      creationTimestamp: '2026-01-01T00:00:00Z',
    };
    this.validate(t, obj);
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, obj);
    this.afterWrite(t, obj);
    return structuredClone(this.objects.get(key)!);
  }

  private patch(
    t: ResourceType,
    key: string,
    sub: string | undefined,
    patch: KObject,
    manager: string,
  ): KObject {
    const writer = this.concurrentWriters.get(key);
    if (writer && writer.times > 0) {
      writer.times--;
      const o = this.objects.get(key)!;
      writer.mutate?.(o);
      o.metadata.resourceVersion = String(++this.rv);
    }
    const current = this.objects.get(key)!;
    const want = patch?.metadata?.resourceVersion;
    if (want !== undefined && want !== current.metadata.resourceVersion)
      throw new HttpError(
        status(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${qualified(t)} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
          { name: current.metadata.name, group: t.group, kind: t.resource },
        ),
      );
    let next: KObject;
    if (sub === 'scale') {
      const scale = mergePatch(this.scaleOf(current), patch) as KObject;
      next = structuredClone(current);
      next.spec = { ...next.spec, replicas: scale.spec?.replicas };
    } else {
      next = mergePatch(current, patch) as KObject;
      next.metadata = {
        ...next.metadata,
        name: current.metadata.name,
        namespace: current.metadata.namespace,
        uid: current.metadata.uid,
      };
    }
    this.validate(t, next);
    track(current, next, manager, sub);
    next.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, next);
    this.afterWrite(t, next);
    const stored = this.objects.get(key)!;
    return sub === 'scale' ? this.scaleOf(stored) : structuredClone(stored);
  }

  private scaleOf(o: KObject): KObject {
    const labels = o.spec?.selector?.matchLabels ?? {};
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: {
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        uid: o.metadata.uid,
        resourceVersion: o.metadata.resourceVersion,
        creationTimestamp: o.metadata.creationTimestamp,
      },
      spec: { replicas: o.spec?.replicas ?? 1 },
      status: {
        replicas: o.status?.replicas ?? 0,
        selector: Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      },
    };
  }

  /** The API server's validation and the admission webhooks of the kinds served. */
  private validate(t: ResourceType, o: KObject): void {
    const invalid = (field: string, value: unknown, why: string) =>
      new HttpError(
        status(
          422,
          'Invalid',
          `${t.kind}.${t.group} "${o.metadata.name}" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${why}`,
        ),
      );
    if (t.kind === 'HorizontalPodAutoscaler') {
      const min = o.spec?.minReplicas ?? 1;
      const max = o.spec?.maxReplicas;
      if (!Number.isInteger(max) || max < 1)
        throw invalid('spec.maxReplicas', max, 'must be greater than or equal to 1');
      if (!Number.isInteger(min) || min < 1)
        throw invalid('spec.minReplicas', min, 'must be greater than or equal to 1');
      if (min > max) throw invalid('spec.minReplicas', min, 'must be less than or equal to maxReplicas');
    }
    if (t.kind === 'ScaledObject') {
      const min = o.spec?.minReplicaCount ?? 0;
      const max = o.spec?.maxReplicaCount ?? 100;
      if (min > max)
        throw new HttpError(
          status(
            403,
            'Forbidden',
            `admission webhook "vscaledobject.kb.io" denied the request: MinReplicaCount=${min} must be less than MaxReplicaCount=${max}`,
          ),
        );
    }
    if ((t.kind === 'Deployment' || t.kind === 'StatefulSet') && (o.spec?.replicas ?? 1) < 0)
      throw invalid('spec.replicas', o.spec.replicas, 'must be greater than or equal to 0');
    if (t.kind === 'CapacityBuffer') {
      // The CRD's x-kubernetes-validations.
      const spec = o.spec ?? {};
      if (spec.podTemplateRef && spec.scalableRef)
        throw invalid(
          'spec',
          'podTemplateRef',
          'You must define either PodTemplateRef or ScalableRef, but not both',
        );
      if (spec.podTemplateRef && spec.replicas === undefined && spec.limits === undefined)
        throw invalid(
          'spec',
          'podTemplateRef',
          'If podTemplateRef is set, replicas or limits must also be set',
        );
      if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0))
        throw invalid('spec.replicas', spec.replicas, 'should be greater than or equal to 0');
    }
    if (t.kind === 'NodePool') {
      const r = o.spec?.replicas;
      if (r !== undefined && (!Number.isInteger(r) || r < 0))
        throw invalid('spec.replicas', r, 'should be greater than or equal to 0');
      for (const b of o.spec?.disruption?.budgets ?? [])
        if (!/^((100|[0-9]{1,2})%|[0-9]+)$/.test(String(b.nodes)))
          throw invalid('spec.disruption.budgets.nodes', b.nodes, 'should match pattern');
    }
  }

  /** The workload controller: one pod per replica, priority from the template's PriorityClass. */
  private afterWrite(t: ResourceType, o: KObject): void {
    if (t.kind === 'CapacityBuffer') {
      this.bufferController(o);
      return;
    }
    if (t.kind === 'NodePool' && o.spec?.replicas !== undefined) {
      // Karpenter's static provisioning: as many nodes as replicas, capped by limits.nodes.
      const cap = o.spec.limits?.nodes === undefined ? Number.POSITIVE_INFINITY : Number(o.spec.limits.nodes);
      o.status = { ...o.status, nodes: Math.min(o.spec.replicas, cap) };
      return;
    }
    if (t.kind !== 'Deployment' && t.kind !== 'StatefulSet') return;
    const owner = `${o.metadata.namespace}/${o.metadata.name}`;
    const want = o.spec?.replicas ?? 1;
    const template = o.spec?.template ?? {};
    const pcName = template.spec?.priorityClassName;
    const pc = pcName
      ? this.objects.get(this.key(this.types.find((x) => x.kind === 'PriorityClass')!, undefined, pcName))
      : undefined;
    const conditions: KObject[] = [];
    let pods = this.podsByOwner.get(owner) ?? [];
    if (pcName && !pc) {
      conditions.push({
        type: 'ReplicaFailure',
        status: 'True',
        reason: 'FailedCreate',
        message: `pods "${o.metadata.name}-" is forbidden: no PriorityClass with name ${pcName} was found`,
      });
    } else {
      pods = pods.slice(0, want);
      while (pods.length < want)
        pods.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${o.metadata.name}-${randomUUID().slice(0, 5)}`,
            namespace: o.metadata.namespace,
            labels: template.metadata?.labels ?? {},
          },
          spec: { ...structuredClone(template.spec ?? {}), ...(pc ? { priority: pc.value } : {}) },
          status: { phase: 'Running' },
        });
    }
    this.podsByOwner.set(owner, pods);
    o.status = {
      ...o.status,
      replicas: pods.length,
      readyReplicas: pods.length,
      availableReplicas: pods.length,
      updatedReplicas: pods.length,
      ...(conditions.length ? { conditions } : {}),
    };
    // The controller's status write is a write: it moves the resourceVersion on.
    o.metadata.resourceVersion = String(++this.rv);
  }

  /** The autoscaler's buffer controller: the chunks of a buffer whose PodTemplate exists are provisioned. */
  private bufferController(o: KObject): void {
    const ref = o.spec?.podTemplateRef?.name;
    const pt = this.types.find((x) => x.kind === 'PodTemplate')!;
    const template = ref ? this.objects.get(this.key(pt, o.metadata.namespace, ref)) : undefined;
    o.status = template
      ? {
          podTemplateRef: { name: ref },
          replicas: o.spec?.replicas ?? 0,
          conditions: [{ type: 'ReadyForProvisioning', status: 'True', reason: 'Resolved' }],
        }
      : {
          conditions: [
            {
              type: 'ReadyForProvisioning',
              status: 'False',
              reason: 'PodTemplateNotFound',
              message: `podtemplates "${ref}" not found`,
            },
          ],
        };
    o.metadata.resourceVersion = String(++this.rv);
  }

  private typeOfObject(obj: KObject): ResourceType {
    const t = this.types.find((x) => apiVersionOf(x) === obj.apiVersion && x.kind === obj.kind);
    if (!t) throw new Error(`the fake API does not serve ${obj.apiVersion} ${obj.kind}`);
    return t;
  }

  private key(t: ResourceType, namespace: string | undefined, name: string): string {
    return `${t.group}/${t.resource}/${t.namespaced ? namespace : ''}/${name}`;
  }
}

let trackedWrites = 0;

/**
 * Server-side field tracking as the API server keeps it in `metadata.managedFields`: the spec
 * fields a write changed now belong to its field manager (and no longer to any other).
 */
function track(before: KObject, after: KObject, manager: string, subresource: string | undefined): void {
  const changed = Object.keys({ ...(before.spec ?? {}), ...(after.spec ?? {}) }).filter(
    (k) => JSON.stringify(before.spec?.[k]) !== JSON.stringify(after.spec?.[k]),
  );
  if (!changed.length) return;
  const entries: KObject[] = (after.metadata.managedFields ?? []).map((e: KObject) => {
    const spec = { ...(e.fieldsV1?.['f:spec'] ?? {}) };
    for (const k of changed) delete spec[`f:${k}`];
    return { ...e, fieldsV1: { ...e.fieldsV1, 'f:spec': spec } };
  });
  const mine = entries.find((e) => e.manager === manager && e.subresource === subresource);
  const fields = Object.fromEntries(changed.map((k) => [`f:${k}`, {}]));
  // Times one second apart in write order: the fake has no clock of its own.
  const time = new Date(Date.UTC(2026, 0, 1) + ++trackedWrites * 1000).toISOString().replace('.000Z', 'Z');
  if (mine) {
    mine.fieldsV1 = { ...mine.fieldsV1, 'f:spec': { ...mine.fieldsV1['f:spec'], ...fields } };
    mine.time = time;
  } else
    entries.push({
      manager,
      operation: 'Update',
      apiVersion: after.apiVersion,
      time,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': fields },
      ...(subresource ? { subresource } : {}),
    });
  after.metadata.managedFields = entries;
}
