import { EKSClient } from '@aws-sdk/client-eks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EksNodegroupActuator, type NodegroupNeeds } from '../../shared/adapters/eks/nodegroup.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { ctx, target } from '../kubernetes/helpers.ts';
import { FakeAws, UPDATE_MS } from './fake-aws.ts';

let aws: FakeAws;
let clock: ManualClock;
let actuator: EksNodegroupActuator;
const subject = target<NodegroupNeeds>('eks-nodegroup', { nodegroup: 'system', bounds: { min: 2, max: 30 } });

beforeEach(async () => {
  clock = new ManualClock('2026-11-27T18:00:00Z');
  aws = await FakeAws.start(clock);
  aws.addNodegroup('kaireon-prod', 'system', { minSize: 2, desiredSize: 3, maxSize: 10 });
  const eks = new EKSClient({
    endpoint: aws.url,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  actuator = new EksNodegroupActuator({ eks, clusterName: 'kaireon-prod' });
});
afterEach(() => aws.close());

const updates = () => aws.ops('eks:UpdateNodegroupConfig');

describe('Actuator: eks-nodegroup', () => {
  it('reads minSize as the floor, with desired and max', async () => {
    const a = await actuator.read(subject);
    expect(a).toMatchObject({
      value: 2,
      details: { minSize: 2, desiredSize: 3, maxSize: 10, status: 'ACTIVE' },
    });
    expect(a.busy).toBeUndefined();
  });

  it('raises minSize with desiredSize, and maxSize when the floor exceeds it (remembered)', async () => {
    const r = await actuator.apply(subject, 12, ctx({ stepId: 'nodes-up-1' }));
    expect(r).toMatchObject({
      status: 'applied',
      before: { minSize: 2, desiredSize: 3, maxSize: 10 },
      after: { minSize: 12, desiredSize: 12, maxSize: 12 },
      remember: { maxSize: 10 },
    });
    expect(updates()[0]).toMatchObject({
      scalingConfig: { minSize: 12, desiredSize: 12, maxSize: 12 },
      clientRequestToken: 'nodes-up-1',
    });
    // EKS applies it over minutes: busy until the update is done.
    const during = await actuator.read(subject);
    expect(during.busy).toMatch(/update .* \(ConfigUpdate\) in progress/);
    expect(during.value).toBe(2);
    clock.advance(UPDATE_MS);
    const after = await actuator.read(subject);
    expect(after.busy).toBeUndefined();
    expect(after.value).toBe(12);
  });

  it('never issues a second update while one is in progress, and applies on the next reconcile', async () => {
    await actuator.apply(subject, 6, ctx({ stepId: 'a' }));
    const second = await actuator.apply(subject, 9, ctx({ stepId: 'b' }));
    expect(second.status).toBe('in-progress');
    expect(updates()).toHaveLength(1);
    clock.advance(UPDATE_MS);
    expect((await actuator.apply(subject, 9, ctx({ stepId: 'b' }))).status).toBe('applied');
    expect(updates()).toHaveLength(2);
  });

  it('waits for an update someone else started (ResourceInUse), from a fresh process too', async () => {
    const id = aws.startForeignUpdate('kaireon-prod', 'system');
    const fresh = new EksNodegroupActuator({
      eks: new EKSClient({
        endpoint: aws.url,
        region: 'eu-central-1',
        credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret' },
      }),
      clusterName: 'kaireon-prod',
    });
    const a = await fresh.read(subject);
    expect(a.busy).toContain(id);
    expect(a.busy).toContain('VersionUpdate');
    expect((await fresh.apply(subject, 5, ctx())).status).toBe('in-progress');
    expect(updates()).toHaveLength(0);
  });

  it('retrying the same step returns the same update instead of a second one (idempotency token)', async () => {
    const eks = new EKSClient({
      endpoint: aws.url,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret' },
    });
    await new EksNodegroupActuator({ eks, clusterName: 'kaireon-prod' }).apply(
      subject,
      6,
      ctx({ stepId: 's' }),
    );
    // A second process that missed the answer sends the same step: EKS returns the same update.
    aws.nodegroups.get('kaireon-prod/system')!.status = 'ACTIVE';
    await new EksNodegroupActuator({ eks, clusterName: 'kaireon-prod' }).apply(
      subject,
      6,
      ctx({ stepId: 's' }),
    );
    expect(new Set([...aws.updates.values()].map((u) => u.id)).size).toBe(1);
  });

  it('restores: min back, desired lowered by what the floor added, max back to the remembered size', async () => {
    await actuator.apply(subject, 12, ctx({ stepId: 'up' }));
    clock.advance(UPDATE_MS);
    expect(aws.nodegroup('kaireon-prod', 'system').scaling).toEqual({
      minSize: 12,
      desiredSize: 12,
      maxSize: 12,
    });
    // Meanwhile a cluster autoscaler added two nodes for real load.
    aws.nodegroups.get('kaireon-prod/system')!.scaling.desiredSize = 14;
    aws.nodegroups.get('kaireon-prod/system')!.scaling.maxSize = 14;
    const r = await actuator.apply(subject, 2, ctx({ stepId: 'down', remembered: { maxSize: 10 } }));
    expect(r).toMatchObject({
      status: 'applied',
      after: { minSize: 2, desiredSize: 4, maxSize: 10 },
      forget: ['maxSize'],
    });
    clock.advance(UPDATE_MS);
    expect(aws.nodegroup('kaireon-prod', 'system').scaling).toEqual({
      minSize: 2,
      desiredSize: 4,
      maxSize: 10,
    });
  });

  it('sends no update when the floor is already there', async () => {
    expect((await actuator.apply(subject, 2, ctx())).status).toBe('no-op');
    expect(updates()).toHaveLength(0);
  });

  it('says the node group is missing', async () => {
    const missing = target<NodegroupNeeds>('eks-nodegroup', { nodegroup: 'gpu', bounds: { min: 0, max: 3 } });
    await expect(actuator.read(missing)).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining(
        'eks:DescribeNodegroup on node group kaireon-prod/gpu: ResourceNotFoundException',
      ),
    });
  });

  it('names the IAM action the role lacks, and changes nothing', async () => {
    aws.denied.add('eks:UpdateNodegroupConfig');
    await expect(actuator.apply(subject, 6, ctx())).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('the role needs IAM action eks:UpdateNodegroupConfig'),
    });
    expect(aws.nodegroup('kaireon-prod', 'system').scaling.minSize).toBe(2);
  });
});

describe('Actuator: eks-nodegroup warm pool (warmPoolConfig)', () => {
  const warm = target<NodegroupNeeds>('eks-nodegroup', {
    nodegroup: 'system',
    warmPool: { poolState: 'STOPPED', maxGroupPreparedCapacity: 20 },
    bounds: { min: 0, max: 15 },
  });

  it('reads zero while the node group has no warm pool, and steers warmPoolMinSize', async () => {
    expect((await actuator.read(warm)).value).toBe(0);
    expect(warm.spec).toMatchObject({ dimension: 'warmPool' });
  });

  it('enables the warm pool sized for the event, remembers it was off, and turns it off again at zero', async () => {
    const up = await actuator.apply(warm, 6, ctx({ stepId: 'warm-up-1' }));
    expect(up).toMatchObject({
      status: 'applied',
      before: { warmPoolMinSize: 0, warmPoolEnabled: false },
      after: { warmPoolMinSize: 6, warmPoolEnabled: true },
      remember: { warmPoolEnabled: false },
    });
    expect(updates()[0]).toMatchObject({
      warmPoolConfig: { enabled: true, minSize: 6, poolState: 'STOPPED', maxGroupPreparedCapacity: 20 },
      clientRequestToken: 'warm-up-1',
    });
    // The scaling config is not part of the change.
    expect(updates()[0]).not.toHaveProperty('scalingConfig');
    expect((await actuator.read(warm)).busy).toMatch(/in progress/);
    clock.advance(UPDATE_MS);
    expect((await actuator.read(warm)).value).toBe(6);
    expect(aws.nodegroup('kaireon-prod', 'system').scaling).toEqual({
      minSize: 2,
      desiredSize: 3,
      maxSize: 10,
    });

    const down = await actuator.apply(warm, 0, ctx({ stepId: 'warm-down-1', remembered: up.remember! }));
    expect(down).toMatchObject({
      status: 'applied',
      after: { warmPoolEnabled: false },
      forget: ['warmPoolEnabled'],
    });
    expect(updates()[1]).toMatchObject({ warmPoolConfig: { enabled: false } });
    clock.advance(UPDATE_MS);
    expect(aws.nodegroup('kaireon-prod', 'system').warmPool?.enabled).toBe(false);
  });

  it('keeps a warm pool someone else enabled, only moving its minSize', async () => {
    aws.addNodegroup(
      'kaireon-prod',
      'system',
      { minSize: 2, desiredSize: 3, maxSize: 10 },
      { enabled: true, minSize: 2, poolState: 'RUNNING' },
    );
    const up = await actuator.apply(warm, 5, ctx());
    expect(up.remember).toBeUndefined();
    clock.advance(UPDATE_MS);
    const down = await actuator.apply(warm, 0, ctx({ stepId: 'warm-down-2' }));
    expect(down.after).toEqual({ warmPoolMinSize: 0, warmPoolEnabled: true });
    expect(updates()[1]).toMatchObject({ warmPoolConfig: { enabled: true, minSize: 0 } });
  });

  it('waits while another update of the node group runs', async () => {
    aws.startForeignUpdate('kaireon-prod', 'system');
    const r = await actuator.apply(warm, 4, ctx());
    expect(r.status).toBe('in-progress');
    expect(updates()).toHaveLength(0);
  });
});
