import { Command, Option } from 'commander';
import { formatPlanTable, planJson } from '../planner/format.ts';
import type { FullPlan } from '../planner/plan.ts';
import { cliClock, optionTime } from './clock.ts';
import { loadConfigOption } from './options.ts';
import { type RemoteOptions, remoteFrom, withRemote } from './remote.ts';
import { openRuntime } from './runtime.ts';

export function planCommand(): Command {
  return withRemote(new Command('plan'))
    .description('what the brain would do at a time')
    .option('--config <file>', 'configuration file')
    .option('--at <iso>', 'the time to plan for: ISO-8601, now or +2h (default now)')
    .option('--json', 'print the Plan object')
    .option(
      '--state <dir>',
      'local state directory: its store and, on the simulated cloud, the cloud `dev` runs there',
      '.headroom',
    )
    .addOption(
      new Option('--cloud <cloud>', 'simulated cloud or real AWS').choices(['sim', 'aws']).default('sim'),
    )
    .action(
      async (
        opts: {
          config?: string;
          at?: string;
          json?: boolean;
          state: string;
          cloud: 'sim' | 'aws';
        } & RemoteOptions,
      ) => {
        const remote = remoteFrom(opts);
        const now = cliClock().now();
        if (remote) {
          // Relative times are resolved here (local times in the zone of --config, else UTC);
          // the deployed brain reads ISO-8601.
          const tz = opts.config ? loadConfigOption(opts.config).timezone : 'UTC';
          const at =
            opts.at !== undefined ? new Date(optionTime('--at', opts.at, now, tz)).toISOString() : undefined;
          const p = await remote.get<ReturnType<typeof planJson>>('/api/plan', { at });
          console.log(opts.json ? JSON.stringify(p, null, 2) : formatPlanTable(p as FullPlan));
          return;
        }
        const config = loadConfigOption(opts.config);
        const at = opts.at !== undefined ? optionTime('--at', opts.at, now, config.timezone) : now.getTime();
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
