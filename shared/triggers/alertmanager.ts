import { createHash } from 'node:crypto';
import * as z from 'zod';
import { InProgressError } from '../domain/errors.ts';
import { parseRfc3339 } from '../domain/time.ts';
import type { TriggerSignal } from '../rules/rules.ts';
import type { KeyedSignal } from './alarm.ts';
import type { TriggerDeps } from './deps.ts';
import {
  describeZodError,
  HttpError,
  type HttpEvent,
  type HttpResult,
  header,
  json,
  parseJson,
  rawBody,
  refusal,
  requireMediaType,
  safeEqual,
} from './http.ts';

const labels = z.record(z.string(), z.string());

/** AlertManager writes times as Go's RFC 3339 (nanoseconds; `0001-01-01T00:00:00Z` for "unset"). */
const rfc3339 = z.string().refine((v) => parseRfc3339(v) !== undefined, {
  error: (iss) => `not an RFC 3339 time: "${String(iss.input).slice(0, 64)}"`,
});

/** One alert of the webhook, payload version 4 (AlertManager's `template.Alert`). */
const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels.optional(),
  startsAt: rfc3339,
  endsAt: rfc3339.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).optional(),
});

export const AlertmanagerWebhookSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: labels.optional(),
  commonLabels: labels.optional(),
  commonAnnotations: labels.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema).max(10_000),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhookSchema>;

/** AlertManager omits the fingerprint before 0.19: derive one from the sorted labels. */
function fingerprintOf(l: Record<string, string>): string {
  const text = Object.keys(l)
    .sort()
    .map((k) => `${k}\u0000${l[k]}`)
    .join('\u0001');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * One signal per alert of a (possibly grouped) notification. The key is fingerprint, startsAt
 * and status: AlertManager repeats a firing group every `repeat_interval`, and a repeat must not
 * create a second intent, while the later `resolved` of the same alert is a new fact.
 */
export function alertSignals(payload: unknown): { signals: KeyedSignal[]; truncated: number } {
  const parsed = AlertmanagerWebhookSchema.safeParse(payload);
  if (!parsed.success)
    throw new HttpError(400, `not an AlertManager webhook (version 4): ${describeZodError(parsed.error)}`);
  const signals = parsed.data.alerts.map((a): KeyedSignal => {
    const fingerprint = a.fingerprint ?? fingerprintOf(a.labels);
    const signal: TriggerSignal = {
      kind: 'alert',
      labels: a.labels,
      status: a.status,
      fingerprint,
      startsAt: a.startsAt,
    };
    return { signal, idempotencyKey: `alert:${fingerprint}:${a.startsAt}:${a.status}` };
  });
  return { signals, truncated: parsed.data.truncatedAlerts ?? 0 };
}

/** Records the intents of every signal, then reconciles once if anything changed. */
export async function acceptSignals(
  deps: TriggerDeps,
  signals: KeyedSignal[],
  trigger: string,
): Promise<{ accepted: number; intents: number; released: number; duplicates: number; inProgress: number }> {
  let intents = 0;
  let released = 0;
  let duplicates = 0;
  let inProgress = 0;
  for (const { signal, idempotencyKey } of signals) {
    const r = await deps.brain.handleSignal(signal, idempotencyKey);
    if (r.inProgress) inProgress++;
    else if (r.duplicate) duplicates++;
    intents += r.intents.length;
    released += r.released;
  }
  if (intents + released > 0) await deps.brain.reconcile(trigger);
  return { accepted: signals.length, intents, released, duplicates, inProgress };
}

/**
 * A delivery of which some signal is still being handled by another invocation: the rest is
 * done, and the sender is asked to deliver again (a 503 for AlertManager, a thrown error for an
 * event source), when it is either done or its claim has expired and it is redone.
 */
export function askAgainIfInProgress(result: { inProgress: number }, deps: TriggerDeps): void {
  if (result.inProgress > 0)
    throw new InProgressError(
      `${result.inProgress} of these signals are being handled by another invocation; deliver again later`,
      deps.brain.inProgressSeconds,
    );
}

/** `POST /alertmanager`: bearer token, size, content type, schema, then the rules. */
export async function alertmanagerRoute(event: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  try {
    if (deps.webhookToken !== undefined) {
      const auth = header(event, 'authorization') ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
      if (!m || !safeEqual(m[1]!, deps.webhookToken))
        throw new HttpError(401, 'missing or wrong bearer token');
    }
    const body = rawBody(event);
    requireMediaType(event, 'application/json');
    const { signals, truncated } = alertSignals(parseJson(body));
    if (truncated > 0)
      deps.logger?.warn(`AlertManager truncated ${truncated} alerts of this group (max_alerts)`, {
        truncated,
      });
    const result = await acceptSignals(deps, signals, 'alertmanager');
    askAgainIfInProgress(result, deps);
    deps.logger?.info(
      `alertmanager: ${result.accepted} alerts, ${result.intents} intents, ${result.released} released, ${result.duplicates} repeats`,
      { ...result },
    );
    return json(200, { ...result, truncated });
  } catch (err) {
    const r = refusal(err);
    if (r) return r;
    throw err;
  }
}
