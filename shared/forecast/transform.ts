/**
 * The model works on a variance-stabilised scale. Request counts are roughly Poisson at night
 * and roughly multiplicative at the peak; `log1p` makes a seasonal shape scale with the level
 * and keeps residual spread comparable between 3 a.m. and 3 p.m. (chosen by measurement, see
 * docs/forecasting.md). Zero stays zero; negative inputs are clamped (demand is never negative).
 */
export interface Transform {
  name: string;
  to(y: number): number;
  from(z: number): number;
}

export const log1pTransform: Transform = {
  name: 'log1p',
  to: (y) => Math.log1p(Math.max(0, y)),
  from: (z) => Math.max(0, Math.expm1(z)),
};

export const sqrtTransform: Transform = {
  name: 'sqrt',
  to: (y) => Math.sqrt(Math.max(0, y)),
  from: (z) => (z > 0 ? z * z : 0),
};

export const identityTransform: Transform = {
  name: 'identity',
  to: (y) => y,
  from: (z) => Math.max(0, z),
};

export const TRANSFORMS: Record<string, Transform> = {
  log1p: log1pTransform,
  sqrt: sqrtTransform,
  identity: identityTransform,
};
