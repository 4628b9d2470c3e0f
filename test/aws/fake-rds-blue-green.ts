import {
  type BlueGreenDeployment,
  BlueGreenDeploymentAlreadyExistsFault,
  BlueGreenDeploymentNotFoundFault,
  type CreateBlueGreenDeploymentCommandInput,
  type DeleteBlueGreenDeploymentCommandInput,
  type DescribeBlueGreenDeploymentsCommandInput,
  InvalidBlueGreenDeploymentStateFault,
  InvalidDBInstanceStateFault,
  type SwitchoverBlueGreenDeploymentCommandInput,
} from '@aws-sdk/client-rds';
import { metadata } from './fake-base.ts';
import type { FakeInstance } from './fake-rds.ts';

/** Blue/Green timings: green creation under the 60 min default lead time; a switchover in about a minute. */
export const BLUE_GREEN_DELAYS = { greenCreate: 35 * 60_000, switchover: 60_000, delete: 60_000 };

export interface FakeDeployment {
  id: string;
  name: string;
  blue: string;
  green: string;
  status: string;
  tags: { Key: string; Value: string }[];
  createdAt: number;
}

/** What the Blue/Green model needs of the fake RDS it lives in. */
export interface RdsModel {
  instances: Map<string, FakeInstance>;
  addInstance(p: Partial<FakeInstance> & { id: string }): FakeInstance;
  later(ms: number, run: () => void): void;
  now(): number;
  arn(id: string): string;
  rdsError(name: string, message: string): Error;
  /** The parameter, or the MissingParameter error RDS answers without it. */
  need<T>(v: T | undefined, name: string): T;
}

/**
 * RDS Blue/Green deployments of single instances, as the RDS API answers them: CreateBlueGreenDeployment
 * copies the blue instance into a green one (in TargetDBInstanceClass) while the deployment is
 * PROVISIONING, then AVAILABLE; SwitchoverBlueGreenDeployment renames blue to `<id>-old1` and green
 * to `<id>` (SWITCHOVER_IN_PROGRESS, then SWITCHOVER_COMPLETED); DeleteBlueGreenDeployment
 * removes the deployment (and the green with DeleteTarget, before a switchover only).
 */
export class FakeBlueGreen {
  readonly deployments = new Map<string, FakeDeployment>();
  private seq = 0;
  private readonly rds: RdsModel;
  constructor(rds: RdsModel) {
    this.rds = rds;
  }

  private toApi(d: FakeDeployment): BlueGreenDeployment {
    return {
      BlueGreenDeploymentIdentifier: d.id,
      BlueGreenDeploymentName: d.name,
      Source: this.rds.arn(d.blue),
      Target: this.rds.arn(d.green),
      Status: d.status,
      CreateTime: new Date(d.createdAt),
      SwitchoverDetails: [
        { SourceMember: this.rds.arn(d.blue), TargetMember: this.rds.arn(d.green), Status: d.status },
      ],
      TagList: d.tags.map((t) => ({ ...t })),
    };
  }

  private get(id: string | undefined): FakeDeployment {
    const d = this.deployments.get(id ?? '');
    if (!d)
      throw new BlueGreenDeploymentNotFoundFault({
        message: `BlueGreenDeploymentIdentifier ${id} doesn't refer to an existing blue/green deployment.`,
        $metadata: metadata(404),
      });
    return d;
  }

  create(input: CreateBlueGreenDeploymentCommandInput) {
    const name = this.rds.need(input.BlueGreenDeploymentName, 'BlueGreenDeploymentName');
    const source = this.rds.need(input.Source, 'Source');
    const blue = [...this.rds.instances.values()].find((i) => this.rds.arn(i.id) === source);
    if (!blue) throw this.rds.rdsError('DBInstanceNotFound', `DBInstance ${source} not found.`);
    if ([...this.deployments.values()].some((d) => d.name === name))
      throw new BlueGreenDeploymentAlreadyExistsFault({
        message: `A blue/green deployment with the name ${name} already exists.`,
        $metadata: metadata(400),
      });
    if (blue.status !== 'available')
      throw new InvalidDBInstanceStateFault({
        message: `DB instance ${blue.id} is not in available state.`,
        $metadata: metadata(400),
      });
    const n = ++this.seq;
    const green = this.rds.addInstance({
      ...structuredClone(blue),
      id: `${blue.id}-green-${String(n).padStart(4, '0')}`,
      instanceClass: input.TargetDBInstanceClass ?? blue.instanceClass,
      status: 'creating',
      createdAt: this.rds.now(),
      pending: {},
    });
    const d: FakeDeployment = {
      id: `bgd-${String(n).padStart(16, '0')}`,
      name,
      blue: blue.id,
      green: green.id,
      status: 'PROVISIONING',
      tags: (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
      createdAt: this.rds.now(),
    };
    this.deployments.set(d.id, d);
    this.rds.later(BLUE_GREEN_DELAYS.greenCreate, () => {
      if (d.status !== 'PROVISIONING') return;
      green.status = 'available';
      d.status = 'AVAILABLE';
    });
    return { BlueGreenDeployment: this.toApi(d) };
  }

  describe(input: DescribeBlueGreenDeploymentsCommandInput) {
    if (input.BlueGreenDeploymentIdentifier)
      return { BlueGreenDeployments: [this.toApi(this.get(input.BlueGreenDeploymentIdentifier))] };
    let list = [...this.deployments.values()];
    for (const f of input.Filters ?? []) {
      const values = f.Values ?? [];
      if (f.Name === 'blue-green-deployment-name') list = list.filter((d) => values.includes(d.name));
      else if (f.Name === 'blue-green-deployment-identifier')
        list = list.filter((d) => values.includes(d.id));
      else if (f.Name === 'source') list = list.filter((d) => values.includes(this.rds.arn(d.blue)));
      else throw this.rds.rdsError('InvalidParameterValue', `Unrecognized filter name: ${f.Name}`);
    }
    return { BlueGreenDeployments: list.map((d) => this.toApi(d)) };
  }

  switchover(input: SwitchoverBlueGreenDeploymentCommandInput) {
    const d = this.get(input.BlueGreenDeploymentIdentifier);
    if (d.status !== 'AVAILABLE')
      throw new InvalidBlueGreenDeploymentStateFault({
        message: `The blue/green deployment ${d.id} can't be switched over because it is ${d.status}.`,
        $metadata: metadata(400),
      });
    d.status = 'SWITCHOVER_IN_PROGRESS';
    this.rds.later(BLUE_GREEN_DELAYS.switchover, () => {
      const blue = this.rds.instances.get(d.blue)!;
      const green = this.rds.instances.get(d.green)!;
      this.rds.instances.delete(blue.id);
      this.rds.instances.delete(green.id);
      const old = `${blue.id}-old1`;
      green.id = blue.id;
      blue.id = old;
      this.rds.instances.set(green.id, green);
      this.rds.instances.set(blue.id, blue);
      d.blue = blue.id;
      d.green = green.id;
      d.status = 'SWITCHOVER_COMPLETED';
    });
    return { BlueGreenDeployment: this.toApi(d) };
  }

  delete(input: DeleteBlueGreenDeploymentCommandInput) {
    const d = this.get(input.BlueGreenDeploymentIdentifier);
    if (input.DeleteTarget && d.status === 'SWITCHOVER_COMPLETED')
      throw this.rds.rdsError(
        'InvalidParameterCombination',
        "You can't delete the target of a blue/green deployment after it has been switched over.",
      );
    if (d.status === 'SWITCHOVER_IN_PROGRESS')
      throw new InvalidBlueGreenDeploymentStateFault({
        message: `The blue/green deployment ${d.id} can't be deleted during a switchover.`,
        $metadata: metadata(400),
      });
    d.status = 'DELETING';
    this.rds.later(BLUE_GREEN_DELAYS.delete, () => {
      this.deployments.delete(d.id);
      if (input.DeleteTarget) this.rds.instances.delete(d.green);
    });
    return { BlueGreenDeployment: this.toApi(d) };
  }
}
