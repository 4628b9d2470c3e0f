import type { TargetKind } from '../../domain/types.ts';
import type { ActuatorFactory } from '../registry.ts';

/** RDS, Aurora and ElastiCache kinds, alphabetical. */
export const dataTierFactories: Partial<Record<TargetKind, ActuatorFactory>> = {};
