import type { Config } from '../config/types.ts';
import type { Actual, Target } from '../domain/types.ts';
import { type KindDefinition, kindOf } from '../kinds/index.ts';
import type {
  Actuator,
  ActuatorFactory,
  ActuatorRegistry,
  ApplyContext,
  ApplyResult,
} from '../ports/actuator.ts';
import type { Clock } from '../ports/clock.ts';

/**
 * The real cloud: each target's actuator comes from its kind module (shared/kinds/), built
 * once per target. A kind's adapter is loaded when its first target is read, so a function
 * that steers only Kubernetes never loads the RDS SDK.
 */
export function awsActuators(config: Config, clock: Clock): ActuatorRegistry {
  const ctx = { config, clock };
  const made = new Map<string, Actuator>();
  const byKind = new Map<KindDefinition, Promise<(t: Target) => Actuator>>();
  const builderOf = (kind: KindDefinition) => {
    let b = byKind.get(kind);
    if (!b) {
      b = kind.actuator().then((factory: ActuatorFactory) => factory(ctx));
      byKind.set(kind, b);
    }
    return b;
  };
  return (target) => {
    let a = made.get(target.id);
    if (!a) {
      a = new Deferred(() => builderOf(kindOf(target)).then((make) => make(target)));
      made.set(target.id, a);
    }
    return a;
  };
}

/** An actuator built on first use; a failed load is retried on the next call. */
class Deferred implements Actuator {
  private made?: Promise<Actuator>;
  private readonly make: () => Promise<Actuator>;

  constructor(make: () => Promise<Actuator>) {
    this.make = make;
  }

  private get actuator(): Promise<Actuator> {
    if (!this.made)
      this.made = this.make().catch((err: unknown) => {
        this.made = undefined;
        throw err;
      });
    return this.made;
  }

  async read(target: Target): Promise<Actual> {
    return (await this.actuator).read(target);
  }

  async apply(target: Target, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    return (await this.actuator).apply(target, desired, ctx);
  }
}
