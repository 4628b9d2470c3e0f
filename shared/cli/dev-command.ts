import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { campaignPhases } from '../campaigns/campaigns.ts';
import { InputError } from '../domain/errors.ts';
import { isLoopbackHost, startDevServer } from '../http/dev-server.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { PhasePayload, PhaseScheduler } from '../ports/scheduler.ts';
import { cliClock } from './clock.ts';
import { DEMO_SPEED, demoCampaign, MAX_SPEED, parseSpeed, speedClock } from './dev-demo.ts';
import { devNotifier } from './dev-notifier.ts';
import { loadConfigOption } from './options.ts';
import { openRuntime } from './runtime.ts';

/** One readable line per event: `19:42:30 api: scale-up 3 -> 34 ...`. */
export const consoleLogger: Logger = {
  info: (m) => console.log(`${new Date().toISOString().slice(11, 19)} ${m}`),
  warn: (m) => console.warn(`${new Date().toISOString().slice(11, 19)} warn ${m}`),
  error: (m) => console.error(`${new Date().toISOString().slice(11, 19)} error ${m}`),
};

/** Campaign phases as in-process timers: what EventBridge Scheduler does in AWS. */
export class TimerScheduler implements PhaseScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly onFire: (name: string, payload: PhasePayload) => void;
  private readonly clock: Clock;
  /** How much faster than real time `clock` runs (`dev --speed`). */
  private readonly speed: number;
  constructor(onFire: (name: string, payload: PhasePayload) => void, clock: Clock = systemClock, speed = 1) {
    this.onFire = onFire;
    this.clock = clock;
    this.speed = speed;
  }
  async schedule(name: string, at: Date, payload: PhasePayload): Promise<void> {
    await this.cancel(name);
    const delay = Math.max(0, at.getTime() - this.clock.now().getTime()) / this.speed;
    // setTimeout holds at most ~24.8 days; the periodic reconcile covers anything later.
    if (delay > 2 ** 31 - 1) return;
    const timer = setTimeout(() => {
      this.timers.delete(name);
      this.onFire(name, payload);
    }, delay);
    timer.unref();
    this.timers.set(name, timer);
  }
  async cancel(name: string): Promise<void> {
    const t = this.timers.get(name);
    if (t) clearTimeout(t);
    this.timers.delete(name);
  }
  names(): string[] {
    return [...this.timers.keys()];
  }
  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

/** `HOST:PORT`, `[IPv6]:PORT`, or a bare `HOST` (then `port` is the port). */
export function parseListen(option: string, text: string, port: number): { host: string; port: number } {
  const t = text.trim();
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+))(?::(\d*))?$/.exec(t);
  if (!m)
    throw new InputError(
      `${option}: expected HOST:PORT (e.g. 127.0.0.1:8787, [::1]:8787, 0.0.0.0:8787), got "${text}"`,
    );
  const host = m[1] ?? m[2]!;
  if (m[3] === undefined) return { host, port };
  const p = Number(m[3]);
  if (m[3] === '' || !Number.isInteger(p) || p > 65535)
    throw new InputError(`${option}: invalid port in "${text}" (0 to 65535)`);
  return { host, port: p };
}

/**
 * Where `dev` listens: `--listen`, else `HEADROOM_LISTEN`, else 127.0.0.1 on `--port`. Against
 * real AWS a non-loopback address is taken only from an explicit `--listen`: a stray
 * `HEADROOM_LISTEN=0.0.0.0:8787` must not put the account's capacity on the network.
 */
export function listenAddress(
  opts: { listen?: string; port: string; cloud: 'sim' | 'aws' },
  env: NodeJS.ProcessEnv = process.env,
): { host: string; port: number } {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InputError(`--port: invalid port "${opts.port}"`);
  if (opts.listen !== undefined) return parseListen('--listen', opts.listen, port);
  const fromEnv = env.HEADROOM_LISTEN?.trim();
  if (!fromEnv) return { host: '127.0.0.1', port };
  const addr = parseListen('HEADROOM_LISTEN', fromEnv, port);
  if (opts.cloud === 'aws' && !isLoopbackHost(addr.host))
    throw new InputError(
      `HEADROOM_LISTEN: with --cloud aws, headroom dev listens only on a loopback address, not "${addr.host}"; ` +
        `pass --listen ${fromEnv} explicitly to serve real AWS changes to the network`,
    );
  return addr;
}

export function devCommand(): Command {
  return new Command('dev')
    .description('run the brain locally: HTTP endpoints, schedules and the periodic reconcile')
    .option('--config <file>', 'configuration file')
    .option('--port <port>', 'HTTP port', '8787')
    .option(
      '--listen <host:port>',
      'address to listen on, overriding --port (default env HEADROOM_LISTEN, else 127.0.0.1 on --port)',
    )
    .option('--state <dir>', 'local state directory (default .headroom; a fresh temporary one with --speed)')
    .option('--interval <seconds>', "seconds between reconciles (of the brain's clock)", '30')
    .option('--speed <n>', `run the brain's clock n times faster than real time (1 to ${MAX_SPEED})`)
    .option('--demo', `add a campaign whose staged steps run within a minute (implies --speed ${DEMO_SPEED})`)
    .addOption(
      new Option('--cloud <cloud>', 'simulated cloud or real AWS').choices(['sim', 'aws']).default('sim'),
    )
    .action(
      async (opts: {
        config?: string;
        port: string;
        listen?: string;
        state?: string;
        interval: string;
        cloud: 'sim' | 'aws';
        speed?: string;
        demo?: boolean;
      }) => {
        const listen = listenAddress(opts);
        const config = loadConfigOption(opts.config);
        const interval = Number(opts.interval);
        if (!(interval > 0)) throw new InputError(`--interval: expected seconds > 0, got "${opts.interval}"`);
        const speed = opts.speed !== undefined ? parseSpeed(opts.speed) : opts.demo ? DEMO_SPEED : 1;
        if (speed > 1 && opts.cloud === 'aws') throw new InputError('--speed: only on the simulated cloud');
        // A sped-up clock writes times ahead of the real one: kept out of the usual state.
        const stateDir =
          opts.state ?? (speed > 1 ? mkdtempSync(path.join(tmpdir(), 'headroom-dev-')) : '.headroom');
        let reconcile: (why: string) => void = () => {};
        const clock = speed > 1 ? speedClock(cliClock(), speed) : cliClock();
        const scheduler = new TimerScheduler(
          (_name, p) => reconcile(`campaign ${p.campaign} ${p.phase}`),
          clock,
          speed,
        );
        const notifications = devNotifier(config, consoleLogger);
        const rt = await openRuntime({
          clock,
          config,
          cloud: opts.cloud,
          stateDir,
          logger: consoleLogger,
          notifier: notifications.notifier,
          scheduler,
        });
        let running = false;
        reconcile = (why: string) => {
          if (running) return;
          running = true;
          rt.brain
            .reconcile(why)
            .then(async () => {
              // Campaigns added elsewhere (CLI, Slack) get their phase timers here.
              const now = rt.clock.now().getTime();
              for (const c of await rt.brain.campaigns()) {
                if (c.cancelled) continue;
                for (const p of campaignPhases(config, c))
                  if (p.at.getTime() > now && !scheduler.names().includes(p.name))
                    await scheduler.schedule(p.name, p.at, {
                      kind: 'campaign-phase',
                      campaign: c.name,
                      phase: p.phase,
                    });
              }
            })
            .catch((err: unknown) => consoleLogger.error(`reconcile failed: ${(err as Error).message}`))
            .finally(() => {
              running = false;
            });
        };
        const server = await startDevServer(rt.brain, listen, { logger: consoleLogger }).catch(
          async (err: Error) => {
            scheduler.clear();
            await rt.close();
            throw new InputError(`cannot listen on ${listen.host}:${listen.port}: ${err.message}`);
          },
        );
        consoleLogger.info(
          `headroom dev: ${config.targets.length} targets on the ${opts.cloud === 'sim' ? 'simulated cloud' : 'AWS cloud'}, state in ${stateDir}, reconcile every ${interval}s${speed > 1 ? ` at ${speed}x speed` : ''}, listening on ${server.url}`,
        );
        consoleLogger.info(`dashboard: ${server.url}/`);
        if (opts.demo) {
          const c = await rt.brain.addCampaign(demoCampaign(config, rt.clock.now()), 'dev --demo');
          consoleLogger.info(
            `demo: campaign ${c.name} x${c.multiplier} on ${c.targets.join(', ')} starts ${c.start} (brain time); its staged steps run over the next minute`,
          );
        }
        consoleLogger.info(`notifications go to ${notifications.where}`);
        reconcile('start');
        const timer = setInterval(() => reconcile('tick'), Math.max(1000, (interval * 1000) / speed));
        const stop = async () => {
          clearInterval(timer);
          scheduler.clear();
          await server.close();
          await rt.close();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
    );
}
