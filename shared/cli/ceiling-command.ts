import { Command } from 'commander';
import { DURATION_RULE, formatDuration, parseDuration } from '../domain/duration.ts';
import { InputError } from '../domain/errors.ts';
import type { Intent } from '../domain/types.ts';
import { cliClock, optionTime } from './clock.ts';
import { loadConfigOption } from './options.ts';
import { type RemoteOptions, remoteFrom, withRemote } from './remote.ts';
import { openRuntime } from './runtime.ts';

/**
 * `headroom ceiling <target> <n> --for 12h [--from ISO] [--reason text]`: an upper bound on a
 * target for a window (docs/ceilings.md), stored in the local state; `headroom release` ends it.
 */
export function ceilingCommand(): Command {
  return withRemote(new Command('ceiling'))
    .description('caps a target at <n> for a window (staging at 0 tonight); reverted when it ends')
    .argument('<target>', 'target id')
    .argument('<n>', 'the ceiling: a whole count (0 scales a Deployment or a paused KEDA target down)')
    .requiredOption('--for <d>', 'how long (12h, 90m)')
    .option('--from <iso>', 'start: ISO-8601, now, or a time from now (+2h); default now')
    .option('--reason <text>', 'why, recorded in the audit log', 'asked on the command line')
    .option('--config <file>', 'configuration file')
    .option('--state <dir>', 'local state directory', '.headroom')
    .action(
      async (
        targetId: string,
        n: string,
        opts: { for: string; from?: string; reason: string; config?: string; state: string } & RemoteOptions,
      ) => {
        if (!/^\d{1,10}$/.test(n)) throw new InputError(`<n>: expected a whole number, got "${n}"`);
        const forSeconds = parseDuration(opts.for);
        if (forSeconds === undefined)
          throw new InputError(`--for: invalid duration "${opts.for}" (${DURATION_RULE})`);
        const shown = (i: Intent) =>
          console.log(
            `ceiling ${i.ceiling} on ${i.target} from ${i.from} until ${i.until} (${formatDuration(forSeconds)}): ${i.id}`,
          );
        const remote = remoteFrom(opts);
        const startOf = (tz: string) =>
          opts.from
            ? new Date(optionTime('--from', opts.from, cliClock().now(), tz)).toISOString()
            : undefined;
        if (remote) {
          const { intent } = await remote.post<{ intent: Intent }>('/api/ceilings', {
            target: targetId,
            ceiling: Number(n),
            for: forSeconds,
            from: startOf('UTC'),
            reason: opts.reason,
          });
          shown(intent);
          return;
        }
        const config = loadConfigOption(opts.config);
        const from = startOf(config.timezone);
        const rt = await openRuntime({ config, cloud: 'sim', stateDir: opts.state });
        try {
          const actor = process.env.USER || 'cli';
          const i = await rt.brain.requestCeiling({
            target: targetId,
            ceiling: Number(n),
            forSeconds,
            reason: opts.reason,
            source: { kind: 'cli', ref: actor },
            from,
          });
          shown(i);
        } finally {
          await rt.close();
        }
      },
    );
}
