import type { Config } from '../config/types.ts';
import type { Campaign } from '../domain/types.ts';
import type { ActuatorRegistry } from '../ports/actuator.ts';

/** What a rehearsal (rehearse.ts) is asked and what it reports: the timeline and a verdict per layer. */

/** One thing that happened on the simulated clock. */
export interface RehearsalEvent {
  at: string;
  target?: string;
  kind:
    | 'rehearsal-start'
    | 'campaign-start'
    | 'campaign-end'
    | 'step'
    | 'failed'
    | 'ready'
    | 'approval-pending'
    | 'waiting'
    | 'blocked'
    | 'reverted'
    | 'rehearsal-end';
  text: string;
  /** A step: the change in units (for the timeline). */
  from?: number;
  to?: number;
}

/** Whether one layer (a campaign target) has its campaign capacity ready at the start. */
export interface LayerVerdict {
  target: string;
  kind: string;
  /** `ready`: in time; `late`: ready after the start; `not-ready`: never during the campaign. */
  status: 'ready' | 'late' | 'not-ready';
  /** Minutes ready before the start (ready) or late after it (late, not-ready: until the end). */
  minutes: number;
  /** The value at the rehearsal start and the one the campaign needs at its start. */
  from: number | string;
  need: number | string;
  /** When the first step was due (the need minus lead time, margin and staging) and when it ran. */
  dueAt?: string;
  firstStepAt?: string;
  readyAt?: string;
  revertedAt?: string;
  leadTime: string;
  reasons: string[];
  /** The campaign wants more than the bounds allow: ready at the bound, short of the demand. */
  capped?: string;
  /** Ready capacity (units) over the rehearsal, one point per change, for the timeline. */
  series: { at: string; ready: number; value: number }[];
}

export interface Rehearsal {
  campaign: { name: string; start: string; end: string; targets: string[] };
  /** When the simulated clock started and stopped. */
  from: string;
  until: string;
  /** The actual state came from AWS reads (`--cloud aws`) instead of the simulator's defaults. */
  seeded: boolean;
  /** Said when the rehearsal did not start at the requested time (a campaign in the past). */
  notes: string[];
  layers: LayerVerdict[];
  timeline: RehearsalEvent[];
}

export interface RehearsalOptions {
  config: Config;
  campaign: string;
  /** When the rehearsal starts: normally now (the time left before the campaign is real). */
  now: Date;
  /** Campaigns of the calendar besides the configured ones (stored with `campaign add`). */
  calendar?: Campaign[];
  /**
   * The real actuators, read once to seed the simulator. Their writes are never called: every
   * change of the rehearsal goes to the simulated cloud.
   */
  seedFrom?: ActuatorRegistry;
  /** Or the actual values (units per target) already read, e.g. by the running brain. */
  initial?: Record<string, number>;
  /** Guard against a plan that never settles. */
  maxTicks?: number;
}
