import { readFileSync } from 'node:fs';
import { parseConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { ConfigError } from '../domain/errors.ts';

/** Reads `headroom.yaml` from disk and validates it (the config module itself never reads files). */
export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError([`${path}: cannot read the file (${(cause as Error).message})`]);
  }
  return parseConfig(text, path);
}
