import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Config } from '../../shared/config/types.ts';
import { validateConfig } from '../../shared/config/validate.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

/** The example configuration as a document, to add a `capacity:` section (and signals) to. */
export function exampleDocument(): Record<string, any> {
  return parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
}

/** The example with `capacity` (and extra `signals`) added, validated. */
export function exampleWith(capacity: unknown, signals: Record<string, unknown> = {}): Config {
  const doc = exampleDocument();
  doc.capacity = capacity;
  doc.signals = { ...doc.signals, ...signals };
  return validateConfig(doc, EXAMPLE_CONFIG);
}
