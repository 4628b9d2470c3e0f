import { stringify } from 'yaml';
import { awsActuators } from '../../shared/app/actuators.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/types.ts';
import type { ActuatorError } from '../../shared/domain/errors.ts';
import type { Target } from '../../shared/domain/types.ts';
import type { Actuator, ApplyContext } from '../../shared/ports/actuator.ts';
import { ManualClock } from '../../shared/ports/clock.ts';

export const T0 = '2026-11-27T18:00:00Z';

/** A config with these targets, through the real loader (defaults, lead times, validation). */
export function configWith(targets: Record<string, Record<string, unknown>>): Config {
  return parseConfig(stringify({ version: 1, targets }));
}

/** The target `id` and its actuator as the real-cloud registry builds it. */
export function realActuator(
  targets: Record<string, Record<string, unknown>>,
  id: string,
  clock = new ManualClock(T0),
): { target: Target; actuator: Actuator; config: Config; clock: ManualClock } {
  const config = configWith(targets);
  const target = config.targets.find((t) => t.id === id)!;
  return { target, actuator: awsActuators(config, clock)(target), config, clock };
}

export function applyCtx(clock: ManualClock, over: Partial<ApplyContext> = {}): ApplyContext {
  return {
    stepId: 'step-1',
    reason: 'test',
    now: clock.now(),
    remembered: {},
    approved: false,
    campaignActive: false,
    ...over,
  };
}

/** The rejection of `p` (fails the test if it resolves), as the ActuatorError it should be. */
export async function rejection(p: Promise<unknown>): Promise<ActuatorError> {
  try {
    await p;
  } catch (err) {
    return err as ActuatorError;
  }
  throw new Error('expected a rejection');
}
