import type { Config } from '../config/types.ts';
import type { Target, TargetKind } from '../domain/types.ts';
import type { Actuator, ActuatorFactory, ActuatorRegistry } from '../ports/actuator.ts';
import type { Clock } from '../ports/clock.ts';
import { dataTierFactories } from './aws/index.ts';
import { kubernetesFactories } from './kubernetes/index.ts';

/**
 * One entry per target kind: Kubernetes and EKS kinds from `kubernetes/`, RDS, Aurora and
 * ElastiCache from `aws/`. Adding a kind is one adapter file and one line in its area's index;
 * the type makes a kind without an actuator a compile error.
 */
const FACTORIES: Record<TargetKind, ActuatorFactory> = { ...kubernetesFactories, ...dataTierFactories };

/** The real cloud: Kubernetes, EKS, RDS and ElastiCache actuators, built once per target. */
export function awsActuators(config: Config, clock: Clock): ActuatorRegistry {
  const ctx = { config, clock };
  const made = new Map<string, Actuator>();
  const byKind = new Map<TargetKind, (t: Target) => Actuator>();
  return (target) => {
    let a = made.get(target.id);
    if (!a) {
      let make = byKind.get(target.kind);
      if (!make) {
        make = FACTORIES[target.kind](ctx);
        byKind.set(target.kind, make);
      }
      a = make(target);
      made.set(target.id, a);
    }
    return a;
  };
}
