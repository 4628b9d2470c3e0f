import {
  type BlueGreenDeployment,
  CreateBlueGreenDeploymentCommand,
  type DBInstance,
  DeleteBlueGreenDeploymentCommand,
  DescribeBlueGreenDeploymentsCommand,
  SwitchoverBlueGreenDeploymentCommand,
} from '@aws-sdk/client-rds';
import { ActuatorError } from '../../domain/errors.ts';
import type { Actual } from '../../domain/types.ts';
import type { ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { RdsApi } from './clients.ts';
import { call, codeOf } from './errors.ts';
import { MANAGED_TAG } from './rds-common.ts';

/** The class the green environment was created with (RDS does not echo TargetDBInstanceClass). */
export const GREEN_CLASS_TAG_KEY = 'headroom:target-class';

/** What a person approves before Headroom switches over to the green environment. */
export const BLUE_GREEN_RISK =
  'Blue/Green switchover: writes stop while RDS promotes the green instance (typically under 5 s, up to the SwitchoverTimeout)';

/** The one Blue/Green deployment Headroom keeps per instance: a fixed name, found again after a restart. */
export const deploymentName = (id: string) => `headroom-${id}`.slice(0, 60);

/** Headroom's Blue/Green deployment of instance `id`, if there is one. */
export async function findDeployment(rds: RdsApi, id: string): Promise<BlueGreenDeployment | undefined> {
  const out = await call(`DescribeBlueGreenDeployments ${deploymentName(id)}`, () =>
    rds.send(
      new DescribeBlueGreenDeploymentsCommand({
        Filters: [{ Name: 'blue-green-deployment-name', Values: [deploymentName(id)] }],
      }),
    ),
  );
  return out.BlueGreenDeployments?.[0];
}

export const greenClassOf = (bg: BlueGreenDeployment) =>
  bg.TagList?.find((t) => t.Key === GREEN_CLASS_TAG_KEY)?.Value;

/**
 * What a Blue/Green deployment changes in the instance's view: while the green provisions the
 * target is busy at its old class; once green is AVAILABLE the switchover is the next step,
 * with the risk a person approves; during the switchover the steered class is green's.
 */
export function blueGreenView(actual: Actual, bg: BlueGreenDeployment | undefined, tiers: string[]): Actual {
  // The blue instance is never restarted: a Single-AZ risk does not apply to this method.
  delete actual.risk;
  if (!bg) return actual;
  const status = bg.Status ?? 'unknown';
  const green = greenClassOf(bg);
  actual.details = { ...actual.details, blueGreen: { name: bg.BlueGreenDeploymentName, status, green } };
  const named = `green environment of ${bg.BlueGreenDeploymentName} (${green ?? 'unknown class'})`;
  if (actual.blocked) return actual;
  if (status === 'PROVISIONING') actual.busy = `${named} is provisioning; switchover once it is AVAILABLE`;
  else if (status === 'AVAILABLE') actual.risk = BLUE_GREEN_RISK;
  else if (status === 'SWITCHOVER_IN_PROGRESS') {
    actual.busy = `switching over to the ${named}`;
    if (green && tiers.includes(green)) actual.value = tiers.indexOf(green);
  } else if (status === 'DELETING') actual.busy = `${bg.BlueGreenDeploymentName} is being deleted`;
  else if (status === 'INVALID_CONFIGURATION' || status === 'SWITCHOVER_FAILED')
    actual.blocked = `${bg.BlueGreenDeploymentName} is ${status}${bg.StatusDetails ? ` (${bg.StatusDetails})` : ''}: a person deletes it (aws rds delete-blue-green-deployment) before Headroom changes the class again`;
  return actual;
}

/**
 * One step of a class change through Blue/Green: create the green environment in the new class
 * (answered `in-progress` while it provisions), then, approved, switch over; a deployment whose
 * switchover completed is deleted first (the old blue instance, renamed `-old1`, is left for a
 * person to delete once satisfied). A green of another class blocks with what to do.
 */
export async function applyBlueGreen(
  rds: RdsApi,
  inst: DBInstance,
  bg: BlueGreenDeployment | undefined,
  to: string,
  ctx: ApplyContext,
  before: Record<string, unknown>,
): Promise<ApplyResult> {
  const id = inst.DBInstanceIdentifier ?? '';
  const name = deploymentName(id);
  const unchanged = { before, after: before };
  if (bg?.Status === 'SWITCHOVER_COMPLETED') {
    await call(`DeleteBlueGreenDeployment ${name}`, () =>
      rds.send(
        new DeleteBlueGreenDeploymentCommand({
          BlueGreenDeploymentIdentifier: bg.BlueGreenDeploymentIdentifier,
        }),
      ),
    );
    return {
      status: 'in-progress',
      ...unchanged,
      message: `deleted the completed ${name}; the next class change starts a new one`,
    };
  }
  if (!bg) {
    try {
      await call(`CreateBlueGreenDeployment ${name}`, () =>
        rds.send(
          new CreateBlueGreenDeploymentCommand({
            BlueGreenDeploymentName: name,
            Source: inst.DBInstanceArn,
            TargetDBInstanceClass: to,
            Tags: [MANAGED_TAG, { Key: GREEN_CLASS_TAG_KEY, Value: to }],
          }),
        ),
      );
    } catch (err) {
      // A lost answer or a concurrent reconcile already created it: the next read finds it.
      if ((err instanceof ActuatorError ? err.code : codeOf(err)) !== 'conflict') throw err;
    }
    return {
      status: 'in-progress',
      started: true,
      before,
      after: { instanceClass: before.instanceClass, blueGreen: { name, green: to, status: 'PROVISIONING' } },
      message: `CreateBlueGreenDeployment ${name}: green ${id} in ${to} provisioning (switchover once AVAILABLE, with approval)`,
    };
  }
  const green = greenClassOf(bg);
  if (green !== to)
    return {
      status: 'blocked',
      ...unchanged,
      message: `${name} has a green environment in ${green}, not ${to}: delete it (aws rds delete-blue-green-deployment --blue-green-deployment-identifier ${bg.BlueGreenDeploymentIdentifier} --delete-target) and Headroom creates the right one`,
    };
  if (!ctx.approved)
    return {
      status: 'blocked',
      ...unchanged,
      message: `refused the switchover of ${name} to ${to}: ${BLUE_GREEN_RISK}; it needs an approval (/headroom approve) or an approved campaign`,
    };
  await call(`SwitchoverBlueGreenDeployment ${name}`, () =>
    rds.send(
      new SwitchoverBlueGreenDeploymentCommand({
        BlueGreenDeploymentIdentifier: bg.BlueGreenDeploymentIdentifier,
        SwitchoverTimeout: 300,
      }),
    ),
  );
  return {
    status: 'applied',
    before,
    after: { instanceClass: to, blueGreen: bg.BlueGreenDeploymentIdentifier },
    message: `SwitchoverBlueGreenDeployment ${name}: ${id} ${before.instanceClass} -> ${to} (the old instance stays as ${id}-old1 until a person deletes it)`,
  };
}
