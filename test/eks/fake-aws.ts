import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../shared/ports/clock.ts';
import { amzDate, decodeEksToken, verifyPresignedUrl } from './sigv4.ts';

interface Session {
  secret: string;
  /** ISO; absent for long-term keys. */
  expires?: number;
  arn: string;
  revoked?: boolean;
}

interface Scaling {
  minSize: number;
  maxSize: number;
  desiredSize: number;
}

/** EKS warmPoolConfig (April 2026): an EC2 Auto Scaling warm pool attached to the node group. */
interface WarmPool {
  enabled?: boolean;
  minSize?: number;
  maxGroupPreparedCapacity?: number;
  poolState?: 'STOPPED' | 'RUNNING' | 'HIBERNATED';
  reuseOnScaleIn?: boolean;
}

interface NodegroupState {
  cluster: string;
  name: string;
  status: string;
  scaling: Scaling;
  warmPool?: WarmPool;
}

interface UpdateState {
  id: string;
  cluster: string;
  nodegroup: string;
  status: 'InProgress' | 'Successful' | 'Failed';
  type: string;
  createdAt: number;
  completesAt: number;
  token?: string;
  scaling?: Scaling;
  warmPool?: WarmPool;
}

/** How long the fake takes to finish a node group config update (EKS: a few minutes). */
export const UPDATE_MS = 3 * 60_000;
/** EKS accepts a token this long after its signing time. */
const TOKEN_VALIDITY_MS = 15 * 60_000;

/**
 * EKS (REST-JSON) and STS (Query) on one local HTTP server, stateful and driven by the
 * injected clock: AssumeRole issues session credentials that expire or can be revoked,
 * node group updates run InProgress -> Successful after UPDATE_MS, a second update while one
 * runs is refused with ResourceInUseException, client request tokens are idempotent, and
 * errors carry the real error names. It also answers what the EKS authenticator asks STS:
 * is this presigned GetCallerIdentity valid, and whose is it.
 */
export class FakeAws {
  readonly calls: { op: string; input: Record<string, unknown> }[] = [];
  readonly sessions = new Map<string, Session>();
  readonly clusters = new Map<string, { endpoint: string; ca: string; status: string }>();
  readonly nodegroups = new Map<string, NodegroupState>();
  readonly updates = new Map<string, UpdateState>();
  /** Operations answered AccessDeniedException (`eks:UpdateNodegroupConfig`, `sts:AssumeRole`). */
  readonly denied = new Set<string>();
  private readonly clock: Clock;
  private server?: Server;
  url = '';

  constructor(clock: Clock) {
    this.clock = clock;
  }

  static async start(clock: Clock): Promise<FakeAws> {
    const f = new FakeAws(clock);
    f.server = createServer((req, res) => f.handle(req, res));
    await new Promise<void>((r) => f.server!.listen(0, '127.0.0.1', r));
    f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
    return f;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** A clean account for the next test: no clusters, node groups, updates, calls or denials (sessions stay). */
  reset(): void {
    this.calls.length = 0;
    this.clusters.clear();
    this.nodegroups.clear();
    this.updates.clear();
    this.denied.clear();
  }

  /** Long-term keys of the caller (the Lambda role's own credentials). */
  addKey(accessKeyId: string, secret: string, arn = 'arn:aws:iam::123456789012:role/headroom-lambda'): void {
    this.sessions.set(accessKeyId, { secret, arn });
  }

  /** Every issued session stops working now (rotated or revoked). */
  revokeSessions(): void {
    for (const s of this.sessions.values()) if (s.expires !== undefined) s.revoked = true;
  }

  ops(op: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.input);
  }

  addNodegroup(cluster: string, name: string, scaling: Scaling, warmPool?: WarmPool): void {
    this.nodegroups.set(`${cluster}/${name}`, {
      cluster,
      name,
      status: 'ACTIVE',
      scaling: { ...scaling },
      ...(warmPool ? { warmPool: { ...warmPool } } : {}),
    });
  }

  nodegroup(cluster: string, name: string): NodegroupState {
    this.tick();
    return structuredClone(this.nodegroups.get(`${cluster}/${name}`)!);
  }

  /** An update someone else started (a console AMI upgrade): the node group is UPDATING. */
  startForeignUpdate(cluster: string, name: string, type = 'VersionUpdate'): string {
    const id = randomUUID();
    const now = this.clock.now().getTime();
    this.updates.set(id, {
      id,
      cluster,
      nodegroup: name,
      status: 'InProgress',
      type,
      createdAt: now,
      completesAt: now + UPDATE_MS,
    });
    this.nodegroups.get(`${cluster}/${name}`)!.status = 'UPDATING';
    return id;
  }

  /**
   * The EKS authenticator's check of a bearer token: a presigned STS GetCallerIdentity for
   * this cluster, signed within the last 15 minutes by credentials STS still honours.
   */
  verifyEksToken(token: string | undefined, clusterName: string): { arn: string } | undefined {
    if (!token) return undefined;
    let t: ReturnType<typeof decodeEksToken>;
    try {
      t = decodeEksToken(token);
    } catch {
      return undefined;
    }
    const q = t.query;
    if (!/^sts\.[a-z0-9-]+\.amazonaws\.com$/.test(t.url.hostname) || t.url.protocol !== 'https:')
      return undefined;
    if (q.Action !== 'GetCallerIdentity' || q['X-Amz-Expires'] !== '60') return undefined;
    if (!(q['X-Amz-SignedHeaders'] ?? '').split(';').includes('x-k8s-aws-id')) return undefined;
    const signedAt = amzDate(q['X-Amz-Date'] ?? '');
    const now = this.clock.now().getTime();
    if (!(signedAt <= now && now - signedAt < TOKEN_VALIDITY_MS)) return undefined;
    const key = (q['X-Amz-Credential'] ?? '').split('/')[0]!;
    const s = this.sessions.get(key);
    if (!s || s.revoked || (s.expires !== undefined && s.expires <= now)) return undefined;
    if (s.expires !== undefined && q['X-Amz-Security-Token'] === undefined) return undefined;
    return verifyPresignedUrl(t, clusterName, s.secret) ? { arn: s.arn } : undefined;
  }

  // HTTP ------------------------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      this.tick();
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST' && url.pathname === '/' && /Action=/.test(raw))
        this.sts(new URLSearchParams(raw), res);
      else this.eks(req.method ?? 'GET', url, raw ? JSON.parse(raw) : {}, res);
    });
  }

  private sts(form: URLSearchParams, res: ServerResponse): unknown {
    const action = form.get('Action') ?? '';
    this.calls.push({ op: `sts:${action}`, input: Object.fromEntries(form) });
    const xml = (code: number, body: string) => res.writeHead(code, { 'content-type': 'text/xml' }).end(body);
    if (action !== 'AssumeRole' || this.denied.has('sts:AssumeRole'))
      return xml(
        403,
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:role/headroom-lambda is not authorized to perform: sts:${action}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    const roleArn = form.get('RoleArn') ?? '';
    const session = form.get('RoleSessionName') ?? 'session';
    const keyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const secret = randomBytes(20).toString('base64');
    const token = randomBytes(48).toString('base64');
    const expires = this.clock.now().getTime() + Number(form.get('DurationSeconds') ?? 3600) * 1000;
    const role = roleArn.split('/').pop();
    const arn = `arn:aws:sts::${roleArn.split(':')[4]}:assumed-role/${role}/${session}`;
    this.sessions.set(keyId, { secret, expires, arn });
    xml(
      200,
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${keyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${token}</SessionToken><Expiration>${new Date(expires).toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAFAKE:${session}</AssumedRoleId><Arn>${arn}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  }

  private eks(method: string, url: URL, body: Record<string, unknown>, res: ServerResponse): unknown {
    const json = (code: number, v: unknown, errorType?: string) =>
      res
        .writeHead(code, {
          'content-type': 'application/json',
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        })
        .end(JSON.stringify(v));
    const fail = (code: number, type: string, message: string) => json(code, { message }, type);
    const p = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const op =
      p[0] !== 'clusters'
        ? 'unknown'
        : p.length === 2 && method === 'GET'
          ? 'DescribeCluster'
          : p[2] === 'node-groups' && p.length === 4 && method === 'GET'
            ? 'DescribeNodegroup'
            : p[2] === 'node-groups' && p[4] === 'update-config' && method === 'POST'
              ? 'UpdateNodegroupConfig'
              : p[2] === 'updates' && p.length === 3 && method === 'GET'
                ? 'ListUpdates'
                : p[2] === 'updates' && p.length === 4 && method === 'GET'
                  ? 'DescribeUpdate'
                  : 'unknown';
    this.calls.push({
      op: `eks:${op}`,
      input: { path: url.pathname, query: Object.fromEntries(url.searchParams), ...body },
    });
    if (op === 'unknown')
      return fail(404, 'UnknownOperationException', `no route for ${method} ${url.pathname}`);
    if (this.denied.has(`eks:${op}`))
      return fail(
        403,
        'AccessDeniedException',
        `User: arn:aws:sts::123456789012:assumed-role/headroom-prod/headroom is not authorized to perform: eks:${op} on resource: arn:aws:eks:eu-central-1:123456789012:cluster/${p[1]}`,
      );
    const clusterName = p[1]!;
    if (op === 'DescribeCluster') {
      const c = this.clusters.get(clusterName);
      if (!c) return fail(404, 'ResourceNotFoundException', `No cluster found for name: ${clusterName}.`);
      return json(200, {
        cluster: {
          name: clusterName,
          arn: `arn:aws:eks:eu-central-1:123456789012:cluster/${clusterName}`,
          endpoint: c.endpoint,
          certificateAuthority: { data: c.ca },
          status: c.status,
          version: '1.33',
        },
      });
    }
    const ngName =
      op === 'ListUpdates' || op === 'DescribeUpdate' ? url.searchParams.get('nodegroupName')! : p[3]!;
    const ng = this.nodegroups.get(`${clusterName}/${ngName}`);
    if (!ng) return fail(404, 'ResourceNotFoundException', `No node group found for name: ${ngName}.`);
    if (op === 'DescribeNodegroup')
      return json(200, {
        nodegroup: {
          nodegroupName: ng.name,
          clusterName,
          nodegroupArn: `arn:aws:eks:eu-central-1:123456789012:nodegroup/${clusterName}/${ng.name}/x`,
          status: ng.status,
          scalingConfig: ng.scaling,
          ...(ng.warmPool ? { warmPoolConfig: ng.warmPool } : {}),
          health: { issues: [] },
          createdAt: 1_700_000_000,
          modifiedAt: Math.floor(this.clock.now().getTime() / 1000),
        },
      });
    if (op === 'ListUpdates') {
      const ids = [...this.updates.values()]
        .filter((u) => u.cluster === clusterName && u.nodegroup === ngName)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((u) => u.id);
      return json(200, { updateIds: ids.slice(0, Number(url.searchParams.get('maxResults') ?? 100)) });
    }
    if (op === 'DescribeUpdate') {
      const u = this.updates.get(p[3]!);
      if (!u || u.nodegroup !== ngName)
        return fail(404, 'ResourceNotFoundException', `No update found for ID: ${p[3]}.`);
      return json(200, { update: this.updateJson(u) });
    }
    // UpdateNodegroupConfig
    const token = body.clientRequestToken as string | undefined;
    const same = token && [...this.updates.values()].find((u) => u.token === token && u.nodegroup === ngName);
    if (same) return json(200, { update: this.updateJson(same) });
    const s = body.scalingConfig as Partial<Scaling> | undefined;
    if (ng.status === 'UPDATING')
      return fail(
        409,
        'ResourceInUseException',
        `Nodegroup ${ngName} is currently not in ACTIVE status: an update is in progress`,
      );
    const w = body.warmPoolConfig as WarmPool | undefined;
    const warm = w
      ? { ...(ng.warmPool ?? { enabled: false, minSize: 0, poolState: 'STOPPED' as const }), ...w }
      : undefined;
    if (warm && (!Number.isInteger(warm.minSize) || warm.minSize! < 0))
      return fail(
        400,
        'InvalidParameterException',
        `warmPoolConfig.minSize must be 0 or more, got ${warm.minSize}`,
      );
    if (warm?.poolState && !['STOPPED', 'RUNNING', 'HIBERNATED'].includes(warm.poolState))
      return fail(400, 'InvalidParameterException', `unknown warmPoolConfig.poolState ${warm.poolState}`);
    const next = { ...ng.scaling, ...s };
    if (
      next.maxSize < 1 ||
      next.minSize > next.maxSize ||
      next.desiredSize < next.minSize ||
      next.desiredSize > next.maxSize
    )
      return fail(
        400,
        'InvalidParameterException',
        `Minimum capacity ${next.minSize} can't be greater than desired size ${next.desiredSize} or maximum ${next.maxSize}`,
      );
    const now = this.clock.now().getTime();
    const u: UpdateState = {
      id: randomUUID(),
      cluster: clusterName,
      nodegroup: ngName,
      status: 'InProgress',
      type: 'ConfigUpdate',
      createdAt: now,
      completesAt: now + UPDATE_MS,
      token,
      scaling: next,
      ...(warm ? { warmPool: warm } : {}),
    };
    this.updates.set(u.id, u);
    ng.status = 'UPDATING';
    json(200, { update: this.updateJson(u) });
  }

  private updateJson(u: UpdateState) {
    return {
      id: u.id,
      status: u.status,
      type: u.type,
      params: u.scaling
        ? [
            { type: 'MinSize', value: String(u.scaling.minSize) },
            { type: 'MaxSize', value: String(u.scaling.maxSize) },
            { type: 'DesiredSize', value: String(u.scaling.desiredSize) },
            ...(u.warmPool
              ? [
                  { type: 'WarmPoolEnabled', value: String(u.warmPool.enabled) },
                  { type: 'WarmPoolMinSize', value: String(u.warmPool.minSize) },
                ]
              : []),
          ]
        : [],
      createdAt: Math.floor(u.createdAt / 1000),
      errors: [],
    };
  }

  /** Updates whose time has come finish; their node group is ACTIVE with the new sizes. */
  private tick(): void {
    const now = this.clock.now().getTime();
    for (const u of this.updates.values()) {
      if (u.status !== 'InProgress' || u.completesAt > now) continue;
      u.status = 'Successful';
      const ng = this.nodegroups.get(`${u.cluster}/${u.nodegroup}`)!;
      if (u.scaling) ng.scaling = { ...u.scaling };
      if (u.warmPool) ng.warmPool = { ...u.warmPool };
      ng.status = 'ACTIVE';
    }
  }
}
