import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
/** 35 minutes before black-friday-tv: the first reconcile adds a database reader at once. */
const NOW = '2026-11-27T19:20:00Z';

/** `headroom dev` on `config`, collecting its output; the caller kills it. */
function startDev(config: string, extra: Record<string, string>) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'headroom-dev-notify-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: NOW, ...extra };
  delete env.HEADROOM_LISTEN;
  for (const k of ['HEADROOM_SLACK_BOT_TOKEN', 'HEADROOM_SLACK_API_URL']) if (!(k in extra)) delete env[k];
  const child = spawn(
    process.execPath,
    [BIN, 'dev', '--config', config, '--port', '0', '--interval', '3600'],
    {
      cwd,
      env,
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { child, out: () => out };
}

function withSlackChannel(channel: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'headroom-dev-notify-config-')), 'headroom.yaml');
  writeFileSync(
    file,
    `${readFileSync(EXAMPLE_CONFIG, 'utf8')}\nnotifications:\n  slack: { channel: ${channel} }\n`,
  );
  return file;
}

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

describe('Command: headroom dev notifications', () => {
  it('prints the notifications to the terminal when Slack is not configured', async () => {
    const dev = startDev(EXAMPLE_CONFIG, {});
    try {
      await expect
        .poll(dev.out, { timeout: 20_000 })
        .toMatch(/notify step-executed db-readers: db-readers: /);
      expect(dev.out()).toContain('notifications go to the terminal');
    } finally {
      dev.child.kill('SIGTERM');
    }
  });

  it('posts them to the configured Slack channel with the bot token, and not to the terminal', async () => {
    const posts: { url: string; auth?: string; form: URLSearchParams }[] = [];
    const slack = createServer(async (req, res) => {
      posts.push({
        url: req.url ?? '',
        auth: req.headers.authorization,
        form: new URLSearchParams(await body(req)),
      });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, channel: 'C0NOTIFY', ts: '1.1' }));
    });
    await new Promise<void>((r) => slack.listen(0, '127.0.0.1', r));
    const { port } = slack.address() as AddressInfo;
    const dev = startDev(withSlackChannel('C0NOTIFY'), {
      HEADROOM_SLACK_BOT_TOKEN: 'xoxb-test-token',
      HEADROOM_SLACK_API_URL: `http://127.0.0.1:${port}/api/`,
    });
    try {
      await expect
        .poll(() => posts.some((p) => p.form.get('text')?.startsWith('db-readers: ')), { timeout: 20_000 })
        .toBe(true);
      const post = posts.find((p) => p.form.get('text')?.startsWith('db-readers: '))!;
      expect(post.url).toBe('/api/chat.postMessage');
      expect(post.auth).toBe('Bearer xoxb-test-token');
      expect(post.form.get('channel')).toBe('C0NOTIFY');
      expect(dev.out()).toContain('notifications go to Slack channel C0NOTIFY');
      expect(dev.out()).not.toContain('notify step-executed');
    } finally {
      dev.child.kill('SIGTERM');
      slack.close();
    }
  });
});
