import { parseDocument } from 'yaml';
import { ConfigError } from '../domain/errors.ts';
import type { Config } from './types.ts';
import { validateConfig } from './validate.ts';

export * from './validate.ts';

/** Parses `headroom.yaml` (JSON is YAML too) and validates it; every problem at once. */
export function parseConfig(text: string, source?: string): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `(yaml): ${e.message.split('\n')[0]}`));
  }
  return validateConfig(doc.toJS(), source);
}
