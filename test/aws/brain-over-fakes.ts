import { awsActuators } from '../../shared/app/actuators.ts';
import { Brain } from '../../shared/app/brain.ts';
import type { Config } from '../../shared/config/types.ts';
import type { AuditEntry } from '../../shared/domain/types.ts';
import type { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { CurveDemandProvider } from '../../shared/sim/demand.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';

/** The real brain with every target on the real AWS actuators (over the installed fakes). */
export function brainOverFakes(config: Config, clock: ManualClock) {
  const sim = new SimCloud(config, { clock });
  const repo = new Repo(new MemoryStateStore());
  const brain = new Brain({
    config,
    repo,
    actuators: awsActuators(config, clock),
    clock,
    notifier: new MemoryNotifier(),
    demand: new CurveDemandProvider(sim),
    owner: 'test',
  });
  const audit = async (target: string, action?: string) =>
    (await repo.store.listAudit())
      .reverse()
      .filter((e: AuditEntry) => e.target === target && (action === undefined || e.action === action));
  /** Reconciles every 30 s until `until`, calling `each` after each reconcile. */
  const run = async (until: string, each?: (t: number) => Promise<void> | void) => {
    for (let t = clock.now().getTime(); t <= Date.parse(until); t += 30_000) {
      clock.set(t);
      await brain.reconcile();
      await each?.(t);
    }
  };
  return { brain, repo, audit, run };
}
