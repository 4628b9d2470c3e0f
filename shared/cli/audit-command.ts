import { Command } from 'commander';
import { InputError } from '../domain/errors.ts';
import { parseInstant } from '../domain/time.ts';
import type { AuditEntry } from '../domain/types.ts';
import { loadConfigOption } from './options.ts';
import { type RemoteOptions, remoteFrom, withRemote } from './remote.ts';
import { openRuntime } from './runtime.ts';

export function formatAuditEntry(e: AuditEntry): string {
  const change =
    e.before !== undefined || e.after !== undefined
      ? ` ${JSON.stringify(e.before ?? null)} -> ${JSON.stringify(e.after ?? null)}`
      : '';
  return `${e.at}  ${e.action.padEnd(18)} ${(e.target ?? '-').padEnd(12)}${change}  ${e.reason}${e.error ? `  error: ${e.error}` : ''}${e.actor ? `  by ${e.actor}` : ''}`;
}

export function auditCommand(): Command {
  return withRemote(new Command('audit'))
    .description('the decision log, newest first')
    .option('--config <file>', 'configuration file')
    .option('--state <dir>', 'local state directory', '.headroom')
    .option('--since <iso>', 'only entries at or after this time')
    .option('--limit <n>', 'at most this many entries', '200')
    .option('--json', 'JSON output')
    .action(
      async (
        opts: {
          config?: string;
          state: string;
          since?: string;
          limit: string;
          json?: boolean;
        } & RemoteOptions,
      ) => {
        const remote = remoteFrom(opts);
        const config = remote && !opts.config ? undefined : loadConfigOption(opts.config);
        const since =
          opts.since !== undefined ? parseInstant(opts.since, config?.timezone ?? 'UTC') : undefined;
        if (opts.since !== undefined && since === undefined)
          throw new InputError(`--since: invalid time "${opts.since}"`);
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit <= 0)
          throw new InputError(`--limit: expected a positive whole number, got "${opts.limit}"`);
        const print = (entries: AuditEntry[]) => {
          if (opts.json) console.log(JSON.stringify(entries, null, 2));
          else if (entries.length === 0) console.log('no audit entries');
          else for (const e of entries) console.log(formatAuditEntry(e));
        };
        if (remote) {
          const { entries } = await remote.get<{ entries: AuditEntry[] }>('/api/audit', {
            since: since !== undefined ? new Date(since).toISOString() : undefined,
            limit: String(limit),
          });
          print(entries);
          return;
        }
        const rt = await openRuntime({ config: config!, cloud: 'sim', stateDir: opts.state });
        try {
          print(await rt.brain.audit({ since: since !== undefined ? new Date(since) : undefined, limit }));
        } finally {
          await rt.close();
        }
      },
    );
}
