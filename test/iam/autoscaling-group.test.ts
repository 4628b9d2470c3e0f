import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../shared/config/load.ts';
import { headroomPolicy } from '../../shared/iam/index.ts';
import { ACCOUNT, decide, deployment, REGION } from './helpers.ts';

const config = (warmPool?: Record<string, number>) =>
  parseConfig(
    stringify({
      version: 1,
      targets: {
        workers: {
          kind: 'ec2-autoscaling-group',
          autoScalingGroupName: 'image-workers',
          bounds: { min: 2, max: 40 },
          ...(warmPool ? { warmPool } : {}),
        },
      },
    }),
  );
const group = (name: string, region = REGION, account = ACCOUNT) =>
  `arn:aws:autoscaling:${region}:${account}:autoScalingGroup:0f6a2b3c-1d2e-4f50-8a9b-0c1d2e3f4a5b:autoScalingGroupName/${name}`;

describe('Function: headroomPolicy for ec2-autoscaling-group', () => {
  it('allows the calls the actuator makes on its group, and the Describe calls IAM only grants on *', async () => {
    const { statements } = headroomPolicy(config({ minSize: 10 }), deployment());
    const calls = [
      { action: 'autoscaling:DescribeAutoScalingGroups', resource: '*' },
      { action: 'autoscaling:DescribeScalingActivities', resource: '*' },
      { action: 'autoscaling:DescribeInstanceRefreshes', resource: '*' },
      { action: 'autoscaling:UpdateAutoScalingGroup', resource: group('image-workers') },
      // The headroom:replaced tag of a ceiling (docs/ceilings.md).
      { action: 'autoscaling:CreateOrUpdateTags', resource: group('image-workers') },
      { action: 'autoscaling:DeleteTags', resource: group('image-workers') },
      { action: 'autoscaling:PutWarmPool', resource: group('image-workers') },
      { action: 'autoscaling:DeleteWarmPool', resource: group('image-workers') },
    ];
    for (const call of calls)
      expect({ ...call, d: await decide(statements, call) }).toEqual({ ...call, d: 'Allowed' });
  });

  it('denies changes to any other group, region or account, and what it never does', async () => {
    const { statements } = headroomPolicy(config({ minSize: 10 }), deployment());
    for (const resource of [
      group('billing'),
      group('image-workers', 'us-east-1'),
      group('image-workers', REGION, '210987654321'),
    ])
      for (const action of ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:CreateOrUpdateTags'])
        expect(await decide(statements, { action, resource })).toBe('ImplicitlyDenied');
    for (const action of [
      'autoscaling:DeleteAutoScalingGroup',
      'autoscaling:SuspendProcesses',
      'autoscaling:StartInstanceRefresh',
    ])
      expect(await decide(statements, { action, resource: group('image-workers') })).toBe('ImplicitlyDenied');
  });

  it('grants the warm pool calls only to a target that sizes a warm pool', async () => {
    const { statements } = headroomPolicy(config(), deployment());
    expect(
      await decide(statements, {
        action: 'autoscaling:UpdateAutoScalingGroup',
        resource: group('image-workers'),
      }),
    ).toBe('Allowed');
    expect(
      await decide(statements, { action: 'autoscaling:PutWarmPool', resource: group('image-workers') }),
    ).toBe('ImplicitlyDenied');
  });
});
