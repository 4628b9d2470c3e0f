import { Command } from 'commander';
import type { Intent } from '../domain/types.ts';
import { display } from '../domain/units.ts';
import { loadConfigOption } from './options.ts';
import { type RemoteOptions, remoteFrom, withRemote } from './remote.ts';
import { openRuntime } from './runtime.ts';

/**
 * `headroom release <intent|target>`: ends an intent early, or every live intent of a target.
 * Whoever runs the CLI holds the state store itself, so they release as an approver.
 */
export function releaseCommand(): Command {
  return withRemote(new Command('release'))
    .description('ends an intent early (by id), or every live intent of a target; the next reconcile reverts')
    .argument('<intent|target>', 'an intent id (status --json lists them) or a target id')
    .option('--reason <text>', 'why, recorded in the audit log')
    .option('--config <file>', 'configuration file')
    .option('--state <dir>', 'local state directory', '.headroom')
    .action(
      async (what: string, opts: { reason?: string; config?: string; state: string } & RemoteOptions) => {
        const remote = remoteFrom(opts);
        if (remote) {
          const { released } = await remote.post<{ released: Intent[] }>('/api/release', {
            what,
            reason: opts.reason,
          });
          for (const i of released) console.log(`released ${i.id} on ${i.target} (until ${i.until})`);
          return;
        }
        const config = loadConfigOption(opts.config);
        const rt = await openRuntime({ config, cloud: 'sim', stateDir: opts.state });
        try {
          const actor = process.env.USER || 'cli';
          const released = await rt.brain.release(
            what,
            { actor, source: { kind: 'cli', ref: actor }, approver: true },
            opts.reason,
          );
          for (const i of released) {
            const target = config.targets.find((t) => t.id === i.target);
            const what =
              i.ceiling !== undefined
                ? `ceiling ${i.ceiling}`
                : `floor ${target ? display(target, i.floor) : i.floor}`;
            console.log(`released ${i.id} on ${i.target} (${what} until ${i.until})`);
          }
        } finally {
          await rt.close();
        }
      },
    );
}
