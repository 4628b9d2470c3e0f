/** One-time wake-ups for campaign phases: EventBridge Scheduler in AWS, a timer in `dev`. */
export interface PhaseScheduler {
  schedule(name: string, at: Date, payload: PhasePayload): Promise<void>;
  cancel(name: string): Promise<void>;
}

export interface PhasePayload {
  kind: 'campaign-phase';
  campaign: string;
  phase: string;
}
