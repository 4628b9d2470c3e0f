import { Command } from 'commander';
import { campaignOutcomes } from '../app/campaign-learning.ts';
import { defaultCampaignTargets } from '../campaigns/campaigns.ts';
import { type CampaignOutcome, learntAbout, learntLines } from '../campaigns/learning.ts';
import { DURATION_RULE, formatDuration, parseDuration } from '../domain/duration.ts';
import { InputError } from '../domain/errors.ts';
import { CAMPAIGN_NAME_RULE, isCampaignName, MULTIPLIER_RULE, parseMultiplier } from '../domain/input.ts';
import { isRelativeTime } from '../domain/time.ts';
import type { Campaign } from '../domain/types.ts';
import { Repo } from '../state/repo.ts';
import { cliClock, optionTime } from './clock.ts';
import { loadConfigOption } from './options.ts';
import { type RemoteOptions, remoteFrom, withRemote } from './remote.ts';
import { openRuntime } from './runtime.ts';

interface CommonOpts extends RemoteOptions {
  config?: string;
  state: string;
  json?: boolean;
}

function withCommon(c: Command): Command {
  return withRemote(c)
    .option('--config <file>', 'configuration file')
    .option('--state <dir>', 'local state directory', '.headroom');
}

/**
 * `a=3,db=db.r6g.2xlarge` -> { a: '3', db: 'db.r6g.2xlarge' }. Values stay text: the brain reads
 * them strictly (decimal digits for counts, tier names for ladders) and names the target.
 */
function parseFloors(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [k, v, extra] = part.split('=');
    if (!k?.trim() || v === undefined || extra !== undefined)
      throw new InputError(`--floors: expected target=value, got "${part}"`);
    out[k.trim()] = v.trim();
  }
  return out;
}

function campaignName(name: string): string {
  if (!isCampaignName(name))
    throw new InputError(`<name>: invalid campaign name "${name}" (${CAMPAIGN_NAME_RULE})`);
  return name;
}

/** `now` and `+2h` become an ISO time on the CLI's clock; ISO and local times pass through to validation. */
function relativeStart(text: string, tz: string): string {
  if (!isRelativeTime(text)) return text;
  return new Date(optionTime('--start', text, cliClock().now(), tz)).toISOString();
}

export function campaignCommand(): Command {
  const cmd = new Command('campaign').description('manage the campaign calendar in the state store');

  cmd.addCommand(
    withCommon(new Command('add'))
      .argument('<name>', 'campaign name')
      .requiredOption(
        '--start <iso>',
        'start: ISO-8601 (without an offset: the config time zone), now, or a time from now (+2h, +30m)',
      )
      .requiredOption('--duration <d>', 'duration (90m, 3h)')
      .requiredOption('--multiplier <x>', 'expected demand multiplier (15 or x15)')
      .option('--targets <a,b>', 'targets (default: every target with a capacity model or a pod workload)')
      .option('--floors <a=n,b=tier>', 'explicit floors per target')
      .option('--approved', 'the campaign approves the changes it causes (downtime included)')
      .action(
        async (
          name: string,
          opts: CommonOpts & {
            start: string;
            duration: string;
            multiplier: string;
            targets?: string;
            floors?: string;
            approved?: boolean;
          },
        ) => {
          const remote = remoteFrom(opts);
          campaignName(name);
          const duration = parseDuration(opts.duration);
          if (duration === undefined)
            throw new InputError(`--duration: invalid duration "${opts.duration}" (${DURATION_RULE})`);
          const multiplier = parseMultiplier(opts.multiplier.replace(/^x/i, ''));
          if (multiplier === undefined)
            throw new InputError(
              `--multiplier: expected ${MULTIPLIER_RULE} (15 or x15), got "${opts.multiplier}"`,
            );
          const listed = opts.targets
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          const added = (c: Campaign) =>
            console.log(
              `campaign ${c.name} added: x${c.multiplier} from ${c.start} for ${formatDuration(c.durationSeconds)} on ${c.targets.join(', ')}`,
            );
          if (remote) {
            // The deployed brain defaults the targets and reads local times in its config's zone.
            const { campaign } = await remote.post<{ campaign: Campaign }>('/api/campaigns', {
              name,
              start: relativeStart(opts.start, 'UTC'),
              duration,
              multiplier,
              targets: listed,
              floors: parseFloors(opts.floors),
              approved: opts.approved,
            });
            added(campaign);
            return;
          }
          const config = loadConfigOption(opts.config);
          const targets = listed ?? defaultCampaignTargets(config);
          const rt = await openRuntime({ config, cloud: 'sim', stateDir: opts.state });
          try {
            const c = await rt.brain.addCampaign(
              {
                name,
                start: relativeStart(opts.start, config.timezone),
                duration,
                multiplier,
                targets,
                floors: parseFloors(opts.floors),
                approved: opts.approved,
              },
              process.env.USER ?? 'cli',
            );
            added(c);
          } finally {
            await rt.close();
          }
        },
      ),
  );

  cmd.addCommand(
    withCommon(new Command('list'))
      .option('--json', 'JSON output')
      .action(async (opts: CommonOpts) => {
        const print = (list: Campaign[], outcomes: CampaignOutcome[] = []) => {
          if (opts.json)
            console.log(
              JSON.stringify(
                list.map((c) => ({ ...c, ...learntAbout(c, outcomes) })),
                null,
                2,
              ),
            );
          else if (list.length === 0) console.log('no campaigns');
          else
            for (const c of list)
              console.log(
                [
                  `${c.name}  x${c.multiplier}  ${c.start}  ${formatDuration(c.durationSeconds)}  ${c.targets.join(',')}${c.series ? `  series ${c.series}` : ''}${c.cancelled ? '  (cancelled)' : ''}${c.approved ? '  (approved)' : ''}`,
                  ...learntLines(c, outcomes),
                ].join('\n'),
              );
        };
        const remote = remoteFrom(opts);
        if (remote) {
          print((await remote.get<{ campaigns: Campaign[] }>('/api/campaigns')).campaigns);
          return;
        }
        const config = loadConfigOption(opts.config);
        const rt = await openRuntime({ config, cloud: 'sim', stateDir: opts.state });
        try {
          print(await rt.brain.campaigns(), await campaignOutcomes(new Repo(rt.store), cliClock().now()));
        } finally {
          await rt.close();
        }
      }),
  );

  cmd.addCommand(
    withCommon(new Command('cancel'))
      .argument('<name>', 'campaign name')
      .action(async (name: string, opts: CommonOpts) => {
        campaignName(name);
        const remote = remoteFrom(opts);
        if (remote) {
          await remote.post('/api/campaigns/cancel', { name });
          console.log(`campaign ${name} cancelled: its floors are released`);
          return;
        }
        const config = loadConfigOption(opts.config);
        const rt = await openRuntime({ config, cloud: 'sim', stateDir: opts.state });
        try {
          await rt.brain.cancelCampaign(name, process.env.USER ?? 'cli');
          console.log(`campaign ${name} cancelled: its floors are released`);
        } finally {
          await rt.close();
        }
      }),
  );
  return cmd;
}
