import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { loadConfigFile } from '../shared/app/config-file.ts';
import type { Config } from '../shared/config/types.ts';
import { ConfigError } from '../shared/domain/errors.ts';

/**
 * The configuration a deploy ships. It is read once, validated, and then both bundled into
 * every function package (as `headroom.json` beside the code, `HEADROOM_CONFIG` points at it:
 * the functions validate it again but need no YAML parser at cold start) and turned into the
 * IAM policy. Bundling rather than an SSM parameter is deliberate: the
 * policy is derived from the config, so a config change must go through a deploy anyway, and
 * one artifact can never disagree with the permissions it was deployed with. Lambda's 4 KB
 * limit on environment variables rules out inlining it.
 */
export interface DeployConfig {
  config: Config;
  /** Absolute path of the configuration file as the operator wrote it. */
  file: string;
  /** Absolute path of its JSON rendering, the file that is bundled. */
  bundle: string;
}

/** The document of a validated `headroom.yaml` as JSON: the same fields, no YAML parser needed to read it. */
export function configJson(file: string): string {
  return `${JSON.stringify(parseDocument(readFileSync(file, 'utf8')).toJS(), null, 2)}\n`;
}

/** `HEADROOM_CONFIG`, else `./headroom.yaml` (as the CLI reads it, CONTRACTS.md). */
export function loadDeployConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DeployConfig {
  const file = path.resolve(cwd, env.HEADROOM_CONFIG || 'headroom.yaml');
  if (!existsSync(file))
    throw new Error(
      `no Headroom configuration at ${file}: put it in headroom.yaml or set HEADROOM_CONFIG=path/to/headroom.yaml`,
    );
  try {
    const config = loadConfigFile(file);
    const bundle = path.join(cwd, '.sst', 'headroom-config', 'headroom.json');
    mkdirSync(path.dirname(bundle), { recursive: true });
    writeFileSync(bundle, configJson(file));
    return { config, file, bundle };
  } catch (err) {
    // Every problem at once, one `path: message` per line, and nothing deployed.
    if (err instanceof ConfigError)
      throw new Error(`${file} is not a valid Headroom configuration:\n  ${err.problems.join('\n  ')}`);
    throw err;
  }
}
