import {
  type Activity,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  DescribeScalingActivitiesCommand,
  type InstanceRefresh,
} from '@aws-sdk/client-auto-scaling';
import { ActuatorError } from '../../domain/errors.ts';
import type { AutoScalingApi } from './clients.ts';
import { call } from './errors.ts';

/** The group's sizes as Headroom steers them. */
export interface GroupSizes {
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
}

/** Processes whose suspension means a raise would launch nothing: the group is held by a person. */
export const HOLDING_PROCESSES = ['Launch', 'AlterDesiredCapacity'];
/** Scaling activity statuses that are finished (every other one is still under way). */
const DONE_ACTIVITY = new Set(['Successful', 'Failed', 'Cancelled']);
/** Instance refresh statuses during which the group is being changed. */
const ACTIVE_REFRESH = new Set(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking']);
/** How many recent activities and refreshes are looked at (newest first). */
const RECENT = 10;

export function sizesOf(g: AutoScalingGroup): GroupSizes {
  return { minSize: g.MinSize ?? 0, desiredCapacity: g.DesiredCapacity ?? 0, maxSize: g.MaxSize ?? 0 };
}

export async function describeGroup(api: AutoScalingApi, name: string): Promise<AutoScalingGroup> {
  const out = await call(
    `DescribeAutoScalingGroups ${name}`,
    () => api.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
    'autoscaling:DescribeAutoScalingGroups',
  );
  const g = out.AutoScalingGroups?.find((x) => x.AutoScalingGroupName === name);
  if (!g)
    throw new ActuatorError(
      'not-found',
      `DescribeAutoScalingGroups ${name}: no such Auto Scaling group (check autoScalingGroupName and region in the config)`,
    );
  return g;
}

/** Instances serving now: InService and healthy (a warm pool's instances are not in the group yet). */
export function inService(g: AutoScalingGroup): number {
  return (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy')
    .length;
}

/** Why the group cannot be changed now by anyone but a person, if it cannot. */
export function holdOf(g: AutoScalingGroup): string | undefined {
  if (g.Status === 'Delete in progress')
    return `Auto Scaling group ${g.AutoScalingGroupName} is being deleted`;
  const held = (g.SuspendedProcesses ?? []).filter((p) => HOLDING_PROCESSES.includes(p.ProcessName ?? ''));
  if (!held.length) return undefined;
  const list = held.map((p) => `${p.ProcessName}${p.SuspensionReason ? ` (${p.SuspensionReason})` : ''}`);
  return `suspended processes on ${g.AutoScalingGroupName}: ${list.join(', ')}; Headroom changes the group once they are resumed (aws autoscaling resume-processes)`;
}

/** The newest scaling activity still under way (launching, warming up, terminating). */
export async function activityInProgress(api: AutoScalingApi, name: string): Promise<Activity | undefined> {
  const out = await call(
    `DescribeScalingActivities ${name}`,
    () => api.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: RECENT })),
    'autoscaling:DescribeScalingActivities',
  );
  return (out.Activities ?? []).find((a) => !DONE_ACTIVITY.has(a.StatusCode ?? 'Successful'));
}

export async function refreshInProgress(
  api: AutoScalingApi,
  name: string,
): Promise<InstanceRefresh | undefined> {
  const out = await call(
    `DescribeInstanceRefreshes ${name}`,
    () => api.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name, MaxRecords: RECENT })),
    'autoscaling:DescribeInstanceRefreshes',
  );
  return (out.InstanceRefreshes ?? []).find((r) => ACTIVE_REFRESH.has(r.Status ?? ''));
}

/** What keeps the group from taking a change now: an instance refresh or a scaling activity. */
export async function busyOf(api: AutoScalingApi, name: string): Promise<string | undefined> {
  const refresh = await refreshInProgress(api, name);
  if (refresh)
    return `instance refresh ${refresh.InstanceRefreshId} ${refresh.Status}${refresh.PercentageComplete !== undefined ? ` (${refresh.PercentageComplete}% done)` : ''}`;
  const activity = await activityInProgress(api, name);
  if (activity)
    return `scaling activity ${activity.StatusCode}: ${activity.Description ?? activity.ActivityId} since ${activity.StartTime?.toISOString()}`;
  return undefined;
}

/** Seconds a new instance takes after InService before it counts (the group's own settings). */
export function warmupOf(g: AutoScalingGroup): { seconds: number; from: string } | undefined {
  if (g.DefaultInstanceWarmup !== undefined && g.DefaultInstanceWarmup >= 0)
    return { seconds: g.DefaultInstanceWarmup, from: 'DefaultInstanceWarmup' };
  if (g.HealthCheckGracePeriod !== undefined)
    return { seconds: g.HealthCheckGracePeriod, from: 'HealthCheckGracePeriod' };
  return undefined;
}
