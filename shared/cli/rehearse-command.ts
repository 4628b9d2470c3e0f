import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { openSqliteStateStore } from '../adapters/state/sqlite.ts';
import { awsActuators } from '../app/actuators.ts';
import { formatRehearsal, rehearsalHtml } from '../app/rehearsal-report.ts';
import { rehearse } from '../app/rehearse.ts';
import type { Campaign } from '../domain/types.ts';
import { Repo } from '../state/repo.ts';
import { cliClock, optionTime } from './clock.ts';
import { loadConfigOption } from './options.ts';

/** Campaigns added with `campaign add` to the local store, when there is one (read only). */
async function storedCampaigns(dir: string, now: Date): Promise<Campaign[]> {
  const file = path.join(dir, 'state.db');
  if (!existsSync(file)) return [];
  const store = openSqliteStateStore(file);
  try {
    return await new Repo(store).storedCampaigns(now);
  } finally {
    await store.close();
  }
}

export function rehearseCommand(): Command {
  return new Command('rehearse')
    .description(
      'play a campaign on a simulated clock, from its first step to its revert, and say per layer whether it is ready at the start',
    )
    .argument('<campaign>', 'campaign name (configured, or added with campaign add)')
    .option('--config <file>', 'configuration file')
    .option('--at <iso>', 'when the rehearsal starts: ISO-8601, now or -2h (default now)')
    .option('--state <dir>', 'local state directory (for campaigns added with campaign add)', '.headroom')
    .option('--json', 'print the rehearsal as JSON')
    .option('--html <file>', 'also write a self-contained HTML timeline to this file')
    .addOption(
      new Option(
        '--cloud <cloud>',
        'start from the simulator defaults, or from the actual AWS state (reads only)',
      )
        .choices(['sim', 'aws'])
        .default('sim'),
    )
    .action(
      async (
        name: string,
        opts: {
          config?: string;
          at?: string;
          state: string;
          json?: boolean;
          html?: string;
          cloud: 'sim' | 'aws';
        },
      ) => {
        const config = loadConfigOption(opts.config);
        const clock = cliClock();
        const now =
          opts.at !== undefined
            ? optionTime('--at', opts.at, clock.now(), config.timezone)
            : clock.now().getTime();
        const r = await rehearse({
          config,
          campaign: name,
          now: new Date(now),
          calendar: await storedCampaigns(opts.state, new Date(now)),
          // Only read() is called on the real actuators: every change goes to the simulation.
          seedFrom: opts.cloud === 'aws' ? awsActuators(config, clock) : undefined,
        });
        if (opts.html) writeFileSync(opts.html, rehearsalHtml(r));
        console.log(opts.json ? JSON.stringify(r, null, 2) : formatRehearsal(r));
        // A layer not ready at the start is a failed check (exit 1), so a game day can gate on it.
        if (r.layers.some((l) => l.status !== 'ready')) process.exitCode = 1;
      },
    );
}
