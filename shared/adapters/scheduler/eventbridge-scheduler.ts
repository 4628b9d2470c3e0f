import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { PhasePayload, PhaseScheduler } from '../../ports/scheduler.ts';

export interface SchedulerSender {
  send(command: CreateScheduleCommand | UpdateScheduleCommand | DeleteScheduleCommand): Promise<unknown>;
}

export interface EventBridgePhaseSchedulerOptions {
  /** The schedule function's ARN (linked resource `ScheduleTarget`). */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it (`SchedulerRole`). */
  roleArn: string;
  /** The schedule group (`ScheduleGroup`); cancelling a campaign deletes only in it. */
  groupName: string;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, to the second (Scheduler's one-time expression). */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

const isNamed = (err: unknown, name: string) => err instanceof Error && err.name === name;

/**
 * Campaign phases as one-time EventBridge Scheduler schedules that invoke the schedule function
 * with the phase as input and delete themselves after running. Re-scheduling a name updates it.
 */
export class EventBridgePhaseScheduler implements PhaseScheduler {
  private readonly client: SchedulerSender;
  private readonly opts: EventBridgePhaseSchedulerOptions;
  constructor(client: SchedulerSender, opts: EventBridgePhaseSchedulerOptions) {
    this.client = client;
    this.opts = opts;
  }

  async schedule(name: string, at: Date, payload: PhasePayload): Promise<void> {
    const input: CreateScheduleCommandInput = {
      Name: name,
      GroupName: this.opts.groupName,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: `Headroom: campaign ${payload.campaign}, phase ${payload.phase}`,
      Target: { Arn: this.opts.targetArn, RoleArn: this.opts.roleArn, Input: JSON.stringify(payload) },
    };
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (err) {
      if (!(err instanceof ConflictException || isNamed(err, 'ConflictException'))) throw err;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  async cancel(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.opts.groupName }));
    } catch (err) {
      // Already ran (ActionAfterCompletion: DELETE) or never created: nothing to cancel.
      if (err instanceof ResourceNotFoundException || isNamed(err, 'ResourceNotFoundException')) return;
      throw err;
    }
  }
}
