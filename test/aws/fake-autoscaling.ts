import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../shared/ports/clock.ts';
import { FakeApi, MIN } from './fake-base.ts';

/** From a launch to InService in this model (EC2: one to two minutes). */
export const LAUNCH_MS = 2 * MIN;
/** Terminating an instance (draining, shutdown). */
export const TERMINATE_MS = MIN;
const NS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

export interface FakeInstance {
  InstanceId: string;
  LifecycleState: 'Pending' | 'InService' | 'Terminating';
  HealthStatus: 'Healthy' | 'Unhealthy';
}

export interface FakeActivity {
  ActivityId: string;
  Description: string;
  Cause: string;
  StatusCode: string;
  StartTime: Date;
  EndTime?: Date;
}

export interface FakeGroupState {
  name: string;
  min: number;
  max: number;
  desired: number;
  instances: FakeInstance[];
  /** Seconds; absent: not enabled (then HealthCheckGracePeriod is the warmup). */
  defaultInstanceWarmup?: number;
  healthCheckGracePeriod: number;
  suspended: { ProcessName: string; SuspensionReason: string }[];
  warmPool?: { MinSize?: number; MaxGroupPreparedCapacity?: number; PoolState: string };
  activities: FakeActivity[];
  refreshes: { InstanceRefreshId: string; Status: string; PercentageComplete: number; StartTime: Date }[];
  /** The group's tags (CreateOrUpdateTags, DeleteTags), by key. */
  tags: Map<string, { Value: string; PropagateAtLaunch: boolean }>;
}

/** An Auto Scaling error as the Query protocol answers it: `<ErrorResponse><Error><Code>`. */
export class QueryError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const validation = (message: string) => new QueryError('ValidationError', message);

/**
 * EC2 Auto Scaling (AWS Query protocol: form-encoded POSTs, XML answers) on a local HTTP
 * server, stateful and driven by the injected clock: a new DesiredCapacity starts a scaling
 * activity whose instances are Pending for LAUNCH_MS, then InService while the activity waits
 * for the instance warmup (DefaultInstanceWarmup, else HealthCheckGracePeriod) before it is
 * Successful; UpdateAutoScalingGroup refuses while an activity runs (ScalingActivityInProgress)
 * and validates sizes as AWS does (MinSize > MaxSize, desired outside the bounds); tags
 * (CreateOrUpdateTags, DeleteTags, shown by DescribeAutoScalingGroups), warm pools, instance refreshes, suspended processes, throttling and injected failures.
 */
export class FakeAutoScaling extends FakeApi {
  readonly groups = new Map<string, FakeGroupState>();
  private server?: Server;
  url = '';

  constructor(clock: Clock) {
    super(clock, () => new QueryError('Throttling', 'Rate exceeded'));
  }

  static async start(clock: Clock): Promise<FakeAutoScaling> {
    const f = new FakeAutoScaling(clock);
    f.server = createServer((req, res) => f.serve(req, res));
    await new Promise<void>((r) => f.server!.listen(0, '127.0.0.1', r));
    f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
    return f;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** A group with `desired` healthy InService instances and nothing under way. */
  addGroup(
    name: string,
    sizes: { min: number; max: number; desired: number },
    over: Partial<FakeGroupState> = {},
  ): FakeGroupState {
    const g: FakeGroupState = {
      name,
      ...sizes,
      instances: [],
      healthCheckGracePeriod: 300,
      suspended: [],
      activities: [],
      refreshes: [],
      tags: new Map(),
      ...over,
    };
    for (let i = 0; i < sizes.desired; i++) g.instances.push(instance('InService'));
    this.groups.set(name, g);
    return g;
  }

  group(name: string): FakeGroupState {
    this.settle();
    return this.groups.get(name)!;
  }

  /** An instance refresh someone started: InProgress for `ms`, then Successful. */
  startRefresh(name: string, ms: number): void {
    const r = {
      InstanceRefreshId: randomUUID(),
      Status: 'InProgress',
      PercentageComplete: 0,
      StartTime: new Date(this.now()),
    };
    this.groups.get(name)!.refreshes.unshift(r);
    this.later(ms, () => {
      r.Status = 'Successful';
      r.PercentageComplete = 100;
    });
  }

  /** Someone (a scaling policy, a person) sets the desired capacity: instances launch or terminate. */
  setDesired(name: string, desired: number, cause = 'a user request set DesiredCapacity'): void {
    const g = this.groups.get(name)!;
    const delta = desired - g.desired;
    g.desired = desired;
    if (delta !== 0) this.activity(g, delta, cause);
  }

  private warmupMs(g: FakeGroupState): number {
    return (g.defaultInstanceWarmup ?? g.healthCheckGracePeriod) * 1000;
  }

  private activity(g: FakeGroupState, delta: number, cause: string): void {
    const a: FakeActivity = {
      ActivityId: randomUUID(),
      Description:
        delta > 0 ? `Launching ${delta} new EC2 instance(s)` : `Terminating ${-delta} EC2 instance(s)`,
      Cause: cause,
      StatusCode: 'InProgress',
      StartTime: new Date(this.now()),
    };
    g.activities.unshift(a);
    const done = () => {
      a.StatusCode = 'Successful';
      a.EndTime = new Date(this.now());
    };
    if (delta > 0) {
      const launched = Array.from({ length: delta }, () => instance('Pending'));
      g.instances.push(...launched);
      this.later(LAUNCH_MS, () => {
        for (const i of launched) i.LifecycleState = 'InService';
        a.StatusCode = 'WaitingForInstanceWarmup';
      });
      this.later(LAUNCH_MS + this.warmupMs(g), done);
      return;
    }
    const leaving = g.instances.filter((i) => i.LifecycleState === 'InService').slice(0, -delta);
    for (const i of leaving) i.LifecycleState = 'Terminating';
    this.later(TERMINATE_MS, () => {
      g.instances = g.instances.filter((i) => !leaving.includes(i));
      done();
    });
  }

  private find(name: string | undefined): FakeGroupState {
    const g = name ? this.groups.get(name) : undefined;
    if (!g) throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
    return g;
  }

  // HTTP -----------------------------------------------------------------------------------

  private serve(req: IncomingMessage, res: ServerResponse): void {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(raw));
      const action = form.Action ?? '';
      try {
        const result = this.handle(action, form, () => this.answer(action, form));
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            `<${action}Response xmlns="${NS}">${result === undefined ? '' : `<${action}Result>${xml(result)}</${action}Result>`}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
          );
      } catch (err) {
        const e = err instanceof QueryError ? err : new QueryError('InternalFailure', String(err), 500);
        res
          .writeHead(e.status, { 'content-type': 'text/xml' })
          .end(
            `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
          );
      }
    });
  }

  private answer(action: string, f: Record<string, string>): unknown {
    switch (action) {
      case 'DescribeAutoScalingGroups': {
        const names = Object.entries(f)
          .filter(([k]) => k.startsWith('AutoScalingGroupNames.member.'))
          .map(([, v]) => v);
        return {
          AutoScalingGroups: [...this.groups.values()].filter((g) => names.includes(g.name)).map(groupXml),
        };
      }
      case 'DescribeScalingActivities':
        return {
          Activities: this.find(f.AutoScalingGroupName)
            .activities.slice(0, Number(f.MaxRecords ?? 100))
            .map((a) => ({ ...a, AutoScalingGroupName: f.AutoScalingGroupName, Progress: 50 })),
        };
      case 'DescribeInstanceRefreshes':
        return {
          InstanceRefreshes: this.find(f.AutoScalingGroupName)
            .refreshes.slice(0, Number(f.MaxRecords ?? 50))
            .map((r) => ({ ...r, AutoScalingGroupName: f.AutoScalingGroupName })),
        };
      case 'UpdateAutoScalingGroup':
        return this.update(f);
      case 'PutWarmPool': {
        const g = this.find(f.AutoScalingGroupName);
        const pool = {
          MinSize: f.MinSize !== undefined ? Number(f.MinSize) : undefined,
          MaxGroupPreparedCapacity:
            f.MaxGroupPreparedCapacity !== undefined ? Number(f.MaxGroupPreparedCapacity) : undefined,
          PoolState: f.PoolState ?? 'Stopped',
        };
        if (
          pool.MaxGroupPreparedCapacity !== undefined &&
          (pool.MinSize ?? 0) > pool.MaxGroupPreparedCapacity
        )
          throw validation('MinSize must be less than or equal to MaxGroupPreparedCapacity');
        g.warmPool = pool;
        return undefined;
      }
      case 'DeleteWarmPool': {
        const g = this.find(f.AutoScalingGroupName);
        if (!g.warmPool) throw validation(`No warm pool found for Auto Scaling group ${g.name}`);
        g.warmPool = undefined;
        return undefined;
      }
      case 'CreateOrUpdateTags':
        for (const t of tagsOf(f)) {
          if ((t.Value ?? '').length > 256) throw validation('Tag value exceeds the maximum length of 256');
          this.find(t.ResourceId).tags.set(t.Key!, {
            Value: t.Value ?? '',
            PropagateAtLaunch: t.PropagateAtLaunch === 'true',
          });
        }
        return undefined;
      case 'DeleteTags':
        for (const t of tagsOf(f)) this.find(t.ResourceId).tags.delete(t.Key!);
        return undefined;
      default:
        throw new QueryError('InvalidAction', `Could not find operation ${action}`);
    }
  }

  private update(f: Record<string, string>): undefined {
    const g = this.find(f.AutoScalingGroupName);
    if (g.activities.some((a) => a.StatusCode === 'InProgress'))
      throw new QueryError(
        'ScalingActivityInProgress',
        'Scaling activity is in progress and blocks this action',
      );
    const min = f.MinSize !== undefined ? Number(f.MinSize) : g.min;
    const max = f.MaxSize !== undefined ? Number(f.MaxSize) : g.max;
    if (min > max) throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
    // A MinSize above the current size without a DesiredCapacity lifts the desired capacity to it.
    let desired = f.DesiredCapacity !== undefined ? Number(f.DesiredCapacity) : Math.max(g.desired, min);
    if (f.DesiredCapacity === undefined) desired = Math.min(desired, max);
    if (desired < min || desired > max)
      throw validation(
        `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
      );
    g.min = min;
    g.max = max;
    this.setDesired(g.name, desired, 'a user request update of AutoScalingGroup constraints');
    return undefined;
  }
}

function instance(state: FakeInstance['LifecycleState']): FakeInstance {
  return {
    InstanceId: `i-${randomUUID().replaceAll('-', '').slice(0, 17)}`,
    LifecycleState: state,
    HealthStatus: 'Healthy',
  };
}

/** `Tags.member.N.Field` form fields as one record per tag. */
function tagsOf(f: Record<string, string>): Record<string, string | undefined>[] {
  const tags = new Map<string, Record<string, string>>();
  for (const [k, v] of Object.entries(f)) {
    const m = /^Tags\.member\.(\d+)\.(\w+)$/.exec(k);
    if (!m) continue;
    const t = tags.get(m[1]!) ?? {};
    t[m[2]!] = v;
    tags.set(m[1]!, t);
  }
  const list = [...tags.values()];
  for (const t of list)
    if (t.ResourceType !== 'auto-scaling-group' || !t.Key)
      throw validation('Tags need ResourceType auto-scaling-group, a ResourceId and a Key');
  return list;
}

function groupXml(g: FakeGroupState): Record<string, unknown> {
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: `arn:aws:autoscaling:eu-central-1:123456789012:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${g.name}`,
    MinSize: g.min,
    MaxSize: g.max,
    DesiredCapacity: g.desired,
    DefaultCooldown: 300,
    AvailabilityZones: ['eu-central-1a', 'eu-central-1b'],
    HealthCheckType: 'EC2',
    HealthCheckGracePeriod: g.healthCheckGracePeriod,
    ...(g.defaultInstanceWarmup !== undefined ? { DefaultInstanceWarmup: g.defaultInstanceWarmup } : {}),
    Instances: g.instances.map((i) => ({
      ...i,
      AvailabilityZone: 'eu-central-1a',
      ProtectedFromScaleIn: false,
    })),
    SuspendedProcesses: g.suspended,
    Tags: [...g.tags].map(([Key, t]) => ({
      ResourceId: g.name,
      ResourceType: 'auto-scaling-group',
      Key,
      ...t,
    })),
    ...(g.warmPool ? { WarmPoolConfiguration: g.warmPool, WarmPoolSize: g.warmPool.MinSize ?? 0 } : {}),
    CreatedTime: new Date('2026-01-01T00:00:00Z'),
  };
}

/** A value as Query-protocol XML: lists are `<member>` elements, dates ISO-8601. */
function xml(v: unknown): string {
  if (Array.isArray(v)) return v.map((m) => `<member>${xml(m)}</member>`).join('');
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object')
    return Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `<${k}>${xml(x)}</${k}>`)
      .join('');
  return escapeXml(String(v));
}

function escapeXml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
