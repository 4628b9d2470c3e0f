import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { Problems } from '../config/problems.ts';
import { configSchema } from '../config/schema.ts';
import type { Config } from '../config/types.ts';
import { normaliseCampaign } from '../config/validate.ts';
import { ConfigError } from '../domain/errors.ts';
import type { Campaign } from '../domain/types.ts';

/**
 * Campaigns to add for a backtest (`--calendar F`), in the config's campaign format: either a
 * YAML list or a document with `campaigns:`. Checked like the config's own campaigns (targets
 * must exist, times without an offset are in the config's time zone); every problem is
 * reported at once as `file: campaigns[i].field: message`.
 */
export function loadCalendar(file: string, config: Config): Campaign[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError([`${file}: cannot read the file (${(cause as Error).message})`]);
  }
  return parseCalendar(text, file, config);
}

export function parseCalendar(text: string, file: string, config: Config): Campaign[] {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ConfigError(doc.errors.map((e) => `${file}: ${e.message.split('\n')[0]}`));
  const js = doc.toJS() as unknown;
  const list = Array.isArray(js) ? js : (js as { campaigns?: unknown } | null)?.campaigns;
  if (!Array.isArray(list))
    throw new ConfigError([`${file}: expected a list of campaigns, or "campaigns:" with a list`]);
  const problems = new Problems();
  const parsed = configSchema.shape.campaigns.safeParse(list);
  if (!parsed.success) {
    problems.addZod(['campaigns'], parsed.error);
    throw new ConfigError(problems.list.map((p) => `${file}: ${p}`));
  }
  const out: Campaign[] = [];
  const names = new Set(config.campaigns.map((c) => c.name));
  parsed.data.forEach((raw, i) => {
    if (names.has(raw.name))
      problems.add(['campaigns', i, 'name'], `campaign "${raw.name}" is already in the calendar`);
    names.add(raw.name);
    const c = normaliseCampaign(
      raw,
      { timezone: config.timezone, targets: config.targets },
      ['campaigns', i],
      problems,
    );
    if (c) out.push(c);
  });
  if (problems.list.length > 0) throw new ConfigError(problems.list.map((p) => `${file}: ${p}`));
  return out;
}
