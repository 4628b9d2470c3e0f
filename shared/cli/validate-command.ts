import { Command } from 'commander';
import { loadConfigOption } from './options.ts';

export function validateCommand(): Command {
  return new Command('validate')
    .description('check a configuration')
    .option('--config <file>', 'configuration file')
    .action((opts: { config?: string }) => {
      const config = loadConfigOption(opts.config);
      console.log(
        `ok: ${config.targets.length} targets, ${config.rules.length} rules, ${config.campaigns.length} campaigns`,
      );
    });
}
