import { Command, Option } from 'commander';
import type { Brain } from '../app/brain.ts';
import { campaignOutcomes } from '../app/campaign-learning.ts';
import { describeOutcome } from '../campaigns/learning.ts';
import { InputError } from '../domain/errors.ts';
import { Repo } from '../state/repo.ts';
import { loadConfigOption } from './options.ts';
import { type RemoteOptions, remoteFrom, withRemote } from './remote.ts';
import { openRuntime } from './runtime.ts';

type Snapshot = Awaited<ReturnType<Brain['snapshot']>>;

/** One line per target: what it has, what Headroom wants, and a failure with its next retry. */
export function formatStatus(s: Snapshot): string {
  const rows = s.targets.map((t) => {
    const f = t.failure;
    const failure = !f
      ? ''
      : f.retryable
        ? `${f.code} x${f.attempts} since ${f.since}, next retry ${f.nextRetryAt}`
        : `${f.code} since ${f.since}, held until the config or the resource changes`;
    return [t.id, t.kind, String(t.actual), String(t.desired), t.decision, failure];
  });
  const head = ['target', 'kind', 'actual', 'desired', 'decision', 'failure'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const paused = s.paused ? [`paused by ${s.paused.by} at ${s.paused.at}`] : [];
  return [`status at ${s.at}`, ...paused, line(head), ...rows.map(line)].join('\n');
}

/** Campaigns that ended in the last week: what the brain learnt (campaign list shows them all). */
async function recentOutcomes(repo: Repo, now: Date): Promise<string[]> {
  const recent = (await campaignOutcomes(repo, now)).filter(
    (o) => now.getTime() - Date.parse(o.end) < RECENT_MS && Date.parse(o.end) <= now.getTime(),
  );
  return recent.map((o) => `campaign ${o.campaign} ended ${o.end}: ${describeOutcome(o)}`);
}
const RECENT_MS = 7 * 86_400_000;

/** Only the target asked for; an unknown one is refused with the known ones. */
function only(s: Snapshot, target: string | undefined): Snapshot {
  if (target && !s.targets.some((t) => t.id === target))
    throw new InputError(`unknown target "${target}" (known: ${s.targets.map((t) => t.id).join(', ')})`);
  return target ? { ...s, targets: s.targets.filter((t) => t.id === target) } : s;
}

export function statusCommand(): Command {
  return withRemote(new Command('status'))
    .description('every target: actual, desired, decision, and a failing step with its next retry')
    .argument('[target]', 'only this target')
    .option('--config <file>', 'configuration file')
    .option('--state <dir>', 'local state directory', '.headroom')
    .option('--json', 'JSON output (the /api/state shape)')
    .addOption(
      new Option('--cloud <cloud>', 'simulated cloud or real AWS').choices(['sim', 'aws']).default('sim'),
    )
    .action(
      async (
        target: string | undefined,
        opts: { config?: string; state: string; json?: boolean; cloud: 'sim' | 'aws' } & RemoteOptions,
      ) => {
        const remote = remoteFrom(opts);
        if (remote) {
          const shown = only(await remote.get<Snapshot>('/api/state'), target);
          console.log(opts.json ? JSON.stringify(shown, null, 2) : formatStatus(shown));
          return;
        }
        const config = loadConfigOption(opts.config);
        if (target && !config.targets.some((t) => t.id === target))
          throw new InputError(
            `unknown target "${target}" (known: ${config.targets.map((t) => t.id).join(', ')})`,
          );
        const rt = await openRuntime({ config, cloud: opts.cloud, stateDir: opts.state });
        try {
          const shown = only(await rt.brain.snapshot(), target);
          const learnt = opts.json ? [] : await recentOutcomes(new Repo(rt.store), new Date(shown.at));
          console.log(
            opts.json ? JSON.stringify(shown, null, 2) : [formatStatus(shown), ...learnt].join('\n'),
          );
        } finally {
          await rt.close();
        }
      },
    );
}
