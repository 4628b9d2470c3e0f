import { Command, Option } from 'commander';
import { InputError } from '../domain/errors.ts';
import { parseInstant } from '../domain/time.ts';
import { formatPlanTable, planJson } from '../planner/format.ts';
import { loadConfigOption } from './options.ts';
import { openRuntime } from './runtime.ts';

export function planCommand(): Command {
  return new Command('plan')
    .description('what the brain would do at a time')
    .option('--config <file>', 'configuration file')
    .option('--at <iso>', 'the time to plan for (default now)')
    .option('--json', 'print the Plan object')
    .option('--state <dir>', 'local state directory', '.headroom')
    .addOption(
      new Option('--cloud <cloud>', 'simulated cloud or real AWS').choices(['sim', 'aws']).default('sim'),
    )
    .action(
      async (opts: { config?: string; at?: string; json?: boolean; state: string; cloud: 'sim' | 'aws' }) => {
        const config = loadConfigOption(opts.config);
        const at = opts.at !== undefined ? parseInstant(opts.at, config.timezone) : Date.now();
        if (at === undefined) throw new InputError(`--at: invalid time "${opts.at}" (ISO-8601)`);
        const rt = await openRuntime({ config, cloud: opts.cloud, stateDir: opts.state, now: new Date(at) });
        try {
          const p = await rt.brain.plan(new Date(at));
          console.log(opts.json ? JSON.stringify(planJson(p), null, 2) : formatPlanTable(p));
        } finally {
          await rt.close();
        }
      },
    );
}
