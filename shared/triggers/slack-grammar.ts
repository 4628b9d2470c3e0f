import {
  DURATION_RULE,
  durationProblem,
  MAX_CAMPAIGN_SECONDS,
  MAX_DURATION_SECONDS,
  parseDuration,
} from '../domain/duration.ts';
import { InputError } from '../domain/errors.ts';
import { CAMPAIGN_NAME_RULE, isCampaignName, MULTIPLIER_RULE, parseMultiplier } from '../domain/input.ts';

/** `/headroom <subcommand>` as CONTRACTS.md writes it. */
export type SlackCommand =
  | { verb: 'help' }
  | { verb: 'status'; target?: string }
  | { verb: 'plan'; at?: string }
  | { verb: 'scale'; target: string; floor: string; forSeconds: number }
  | { verb: 'ceiling'; target: string; ceiling: number; forSeconds: number }
  | {
      verb: 'campaign-add';
      name: string;
      start: string;
      durationSeconds: number;
      multiplier: number;
      targets?: string[];
    }
  | { verb: 'campaign-list' }
  | { verb: 'campaign-cancel'; name: string }
  | { verb: 'pause' | 'resume'; target?: string }
  | { verb: 'approve' | 'reject'; stepId: string }
  | { verb: 'release'; ref: string }
  | { verb: 'rehearse'; name: string };

export const SLACK_HELP = [
  '*/headroom* commands:',
  '`status [target]` · what each target has and will get',
  '`plan [at ISO]` · what Headroom would do (now, or at a time)',
  '`scale <target> floor <n> for <duration>` · hold a floor (`scale api floor 12 for 2h`)',
  '`ceiling <target> <n> for <duration>` · cap a target, reverted after (`ceiling staging-web 0 for 12h`)',
  '`campaign add <name> <start ISO|now|+2h|in 30m> <duration> x<multiplier> [targets a,b]`',
  '`campaign list` · `campaign cancel <name>`',
  '`pause [target]` · `resume [target]`',
  '`approve <step-id>` · `reject <step-id>`',
  "`release <intent-id|target>` · end your floor early (approvers: anyone's)",
  '`rehearse <campaign>` · play a campaign on a simulated clock: is each layer ready at the start?',
  '`help`',
].join('\n');

const MAX_TEXT = 500;

function usage(line: string): InputError {
  return new InputError(`usage: \`/headroom ${line}\` (\`/headroom help\` lists every command)`);
}

/**
 * A duration in its field: whole units, at least a minute, at most `max` (the intent cap of the
 * config is applied by the brain, which knows it). Refusals name the field.
 */
function duration(text: string | undefined, line: string, field: string, max: number): number {
  if (!text) throw usage(line);
  const s = parseDuration(text);
  if (s === undefined) throw new InputError(`${field}: invalid duration "${text}" (${DURATION_RULE})`);
  const problem = durationProblem(s, max);
  if (problem) throw new InputError(`${field}: ${problem}`);
  return s;
}

/** A floor as typed: decimal digits for a count, or a tier name (`db.r6g.xlarge`). */
const FLOOR = /^(\d{1,10}|[a-z][a-z0-9.-]{0,63})$/;

function campaignName(text: string): string {
  if (!isCampaignName(text))
    throw new InputError(`name: invalid campaign name "${text}" (${CAMPAIGN_NAME_RULE})`);
  return text;
}

/** Parses the text after `/headroom`; a wrong command is an `InputError` that shows its usage. */
export function parseSlackCommand(text: string): SlackCommand {
  if (text.length > MAX_TEXT) throw new InputError(`command is over ${MAX_TEXT} characters`);
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [verb, ...rest] = words;
  const n = rest.length;
  switch ((verb ?? 'help').toLowerCase()) {
    case 'help':
      return { verb: 'help' };
    case 'status':
      if (n > 1) throw usage('status [target]');
      return { verb: 'status', target: rest[0] };
    case 'plan':
      if (n === 0) return { verb: 'plan' };
      if (n === 2 && rest[0]!.toLowerCase() === 'at') return { verb: 'plan', at: rest[1] };
      if (n === 1) return { verb: 'plan', at: rest[0] };
      throw usage('plan [at ISO]');
    case 'scale': {
      const line = 'scale <target> floor <n> for <duration>';
      if (n !== 5 || rest[1]!.toLowerCase() !== 'floor' || rest[3]!.toLowerCase() !== 'for')
        throw usage(line);
      if (!FLOOR.test(rest[2]!))
        throw new InputError(
          `floor: expected a whole number in decimal digits or a tier name, got "${rest[2]}"`,
        );
      return {
        verb: 'scale',
        target: rest[0]!,
        floor: rest[2]!,
        forSeconds: duration(rest[4], line, 'for', MAX_DURATION_SECONDS),
      };
    }
    case 'ceiling': {
      const line = 'ceiling <target> <n> for <duration>';
      if (n !== 4 || rest[2]!.toLowerCase() !== 'for') throw usage(line);
      if (!/^\d{1,10}$/.test(rest[1]!))
        throw new InputError(`ceiling: expected a whole number in decimal digits, got "${rest[1]}"`);
      return {
        verb: 'ceiling',
        target: rest[0]!,
        ceiling: Number(rest[1]),
        forSeconds: duration(rest[3], line, 'for', MAX_DURATION_SECONDS),
      };
    }
    case 'campaign': {
      const sub = rest[0]?.toLowerCase();
      if (sub === 'list' && n === 1) return { verb: 'campaign-list' };
      if (sub === 'cancel' && n === 2) return { verb: 'campaign-cancel', name: campaignName(rest[1]!) };
      const line = 'campaign add <name> <start ISO|now|+2h|in 30m> <duration> x<multiplier> [targets a,b]';
      if (sub !== 'add') throw usage('campaign add|list|cancel ...');
      // `in 30m` is one start written as two words.
      const args =
        rest[2]?.toLowerCase() === 'in' && rest[3] !== undefined
          ? [...rest.slice(0, 2), `in ${rest[3]}`, ...rest.slice(4)]
          : rest;
      const k = args.length;
      if (k !== 5 && k !== 7) throw usage(line);
      const m = /^x(.*)$/i.exec(args[4]!);
      if (!m) throw usage(line);
      const multiplier = parseMultiplier(m[1]);
      if (multiplier === undefined)
        throw new InputError(`multiplier: "${args[4]}" is not x followed by ${MULTIPLIER_RULE}`);
      let targets: string[] | undefined;
      if (k === 7) {
        if (args[5]!.toLowerCase() !== 'targets') throw usage(line);
        targets = args[6]!.split(',').filter(Boolean);
        if (targets.length === 0) throw usage(line);
      }
      return {
        verb: 'campaign-add',
        name: campaignName(args[1]!),
        start: args[2]!,
        durationSeconds: duration(args[3], line, 'duration', MAX_CAMPAIGN_SECONDS),
        multiplier,
        targets,
      };
    }
    case 'pause':
    case 'resume': {
      const v = verb!.toLowerCase() as 'pause' | 'resume';
      if (n > 1) throw usage(`${v} [target]`);
      return { verb: v, target: rest[0] };
    }
    case 'approve':
    case 'reject': {
      const v = verb!.toLowerCase() as 'approve' | 'reject';
      if (n !== 1) throw usage(`${v} <step-id>`);
      if (!/^[\w.:-]{1,200}$/.test(rest[0]!)) throw new InputError(`step-id: invalid step id "${rest[0]}"`);
      return { verb: v, stepId: rest[0]! };
    }
    case 'release':
      // Intent ids are `kind:target:ref` (letters, digits and .:@+-_): nothing else is echoed back.
      if (n !== 1 || !/^[\w.:@+-]{1,200}$/.test(rest[0]!)) throw usage('release <intent-id|target>');
      return { verb: 'release', ref: rest[0]! };
    case 'rehearse':
      if (n !== 1) throw usage('rehearse <campaign>');
      return { verb: 'rehearse', name: campaignName(rest[0]!) };
    default:
      throw new InputError(`unknown command "${verb}"\n${SLACK_HELP}`);
  }
}
