import * as z from 'zod';
import type { TriggerSignal } from '../rules/rules.ts';
import { describeZodError, HttpError } from './http.ts';

/** An alarm signal and the key that makes a repeated delivery a no-op. */
export interface KeyedSignal {
  signal: TriggerSignal;
  idempotencyKey: string;
}

/**
 * The EventBridge envelope (the fields of Powertools' `EventBridgeSchema`). Declared here with
 * `import * as z` so bundles tree-shake zod: Powertools' `import { z }` pulls every zod locale
 * into each function (~370 KB).
 */
export const EventBridgeSchema = z.object({
  version: z.string(),
  id: z.string().min(1),
  source: z.string().min(1),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string().min(1),
  detail: z.unknown(),
  'replay-name': z.string().optional(),
});

const alarmState = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

/**
 * `detail` of `CloudWatch Alarm State Change`: metric, metric-math (metrics with an
 * `expression`) and composite alarms (`configuration.alarmRule`) share these fields.
 */
const alarmDetail = z.object({
  alarmName: z.string().min(1),
  state: z.object({ value: alarmState, reason: z.string().optional(), timestamp: z.string().optional() }),
  previousState: z.object({ value: alarmState }).partial().optional(),
  configuration: z
    .object({
      description: z.string().nullish(),
      metrics: z.array(z.object({ id: z.string().optional(), expression: z.string().optional() })).optional(),
      alarmRule: z.string().optional(),
    })
    .optional(),
});

export const AlarmStateChangeSchema = EventBridgeSchema.extend({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  detail: alarmDetail,
});

/** The alarm JSON CloudWatch puts in an SNS message body. */
const snsAlarmMessage = z.object({
  AlarmName: z.string().min(1),
  NewStateValue: alarmState,
  NewStateReason: z.string().optional(),
  OldStateValue: alarmState.optional(),
  StateChangeTime: z.string().optional(),
  AlarmArn: z.string().optional(),
});

/** An SNS notification as an HTTP(S) subscriber or a Lambda record (`Sns`) carries it. */
const snsNotification = z.object({
  Type: z.literal('Notification'),
  MessageId: z.string().min(1),
  Message: z.string(),
  TopicArn: z.string().optional(),
});

export const SnsLambdaEventSchema = z.object({
  Records: z
    .array(z.object({ EventSource: z.literal('aws:sns'), Sns: snsNotification }))
    .min(1)
    .max(100),
});

/** Signals of an EventBridge alarm state change; the event id is the idempotency key. */
export function alarmFromEventBridge(event: unknown): KeyedSignal {
  const parsed = AlarmStateChangeSchema.safeParse(event);
  if (!parsed.success)
    throw new HttpError(400, `not a CloudWatch Alarm State Change: ${describeZodError(parsed.error)}`);
  const e = parsed.data;
  return {
    signal: {
      kind: 'alarm',
      name: e.detail.alarmName,
      state: e.detail.state.value,
      reason: e.detail.state.reason,
      id: e.id,
    },
    idempotencyKey: `eventbridge:${e.id}`,
  };
}

/** The alarm inside one SNS notification; the SNS MessageId is the idempotency key. */
export function alarmFromSnsNotification(n: { MessageId: string; Message: string }): KeyedSignal {
  let body: unknown;
  try {
    body = JSON.parse(n.Message);
  } catch (cause) {
    throw new HttpError(400, `SNS message ${n.MessageId} is not CloudWatch alarm JSON`, { cause });
  }
  const parsed = snsAlarmMessage.safeParse(body);
  if (!parsed.success)
    throw new HttpError(
      400,
      `SNS message ${n.MessageId} is not a CloudWatch alarm: ${describeZodError(parsed.error)}`,
    );
  const m = parsed.data;
  return {
    signal: {
      kind: 'alarm',
      name: m.AlarmName,
      state: m.NewStateValue,
      reason: m.NewStateReason,
      id: n.MessageId,
    },
    idempotencyKey: `sns:${n.MessageId}`,
  };
}

/** Accepts an SNS notification (HTTP delivery shape) or a Lambda SNS event (`Records`). */
export function alarmsFromSns(event: unknown): KeyedSignal[] {
  const lambda = SnsLambdaEventSchema.safeParse(event);
  if (lambda.success) return lambda.data.Records.map((r) => alarmFromSnsNotification(r.Sns));
  const single = snsNotification.safeParse(event);
  if (single.success) return [alarmFromSnsNotification(single.data)];
  throw new HttpError(400, `not an SNS notification: ${describeZodError(single.error)}`);
}

export function isSnsShaped(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return 'Records' in event || (event as { Type?: unknown }).Type === 'Notification';
}
