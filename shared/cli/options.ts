import { loadConfigFile } from '../app/config-file.ts';
import type { Config } from '../config/types.ts';

/** `--config`, else `HEADROOM_CONFIG`, else `./headroom.yaml` (CONTRACTS.md). */
export function configPath(opt: string | undefined): string {
  return opt ?? process.env.HEADROOM_CONFIG ?? 'headroom.yaml';
}

export function loadConfigOption(opt: string | undefined): Config {
  return loadConfigFile(configPath(opt));
}
