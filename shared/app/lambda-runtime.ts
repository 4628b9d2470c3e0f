import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Resource } from 'sst';
import { DynamoStateStore } from '../adapters/state/dynamodb.ts';
import type { Config } from '../config/types.ts';
import { validateConfig } from '../config/validate.ts';
import { ConfigError } from '../domain/errors.ts';
import { predictiveIntents } from '../forecast/predictive.ts';
import type { ActuatorRegistry } from '../ports/actuator.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { DemandProvider } from '../ports/demand.ts';
import type { Logger } from '../ports/logger.ts';
import type { MetricSource } from '../ports/metrics.ts';
import { type Notifier, nullNotifier } from '../ports/notifier.ts';
import type { PhaseScheduler } from '../ports/scheduler.ts';
import type { StateStore } from '../ports/state.ts';
import { Repo } from '../state/repo.ts';
import type { DeferredSlackJob, TriggerDeps } from '../triggers/deps.ts';
import { Brain } from './brain.ts';
import type { ForecastWiring } from './forecast-wiring.ts';
import { invokeAsync } from './lambda-invoke.ts';

/** The linked resources of the stacks, by the names `sst.config.ts` gives them. */
interface Links {
  StateTable?: { name: string };
  SlackSigningSecret?: { value: string };
  SlackBotToken?: { value: string };
  WebhookToken?: { value: string };
  DashboardToken?: { value: string };
  HeadroomBus?: { name: string };
  SchedulerRole?: { arn: string };
  ScheduleGroup?: { name: string };
  ScheduleTarget?: { arn: string };
}

/** A linked resource, or undefined when this function is not linked to it (SST throws then). */
export function link<K extends keyof Links>(name: K): Links[K] | undefined {
  try {
    return (Resource as unknown as Links)[name];
  } catch {
    return undefined;
  }
}

/** The event a slow Slack command re-invokes the slack function with (never reachable over HTTP). */
export interface DeferredInvocation {
  headroomDeferred: DeferredSlackJob;
}

export interface LambdaRuntime {
  brain: Brain;
  deps: TriggerDeps;
  logger: PowertoolsLogger;
  metrics: Metrics;
}

export interface LambdaRuntimeOverrides {
  config?: Config;
  store?: StateStore;
  actuators?: ActuatorRegistry;
  clock?: Clock;
  notifier?: Notifier;
  scheduler?: PhaseScheduler;
  defer?: TriggerDeps['defer'];
  demand?: DemandProvider;
}

/**
 * `HEADROOM_CONFIG`: the path of the bundled config, or the YAML itself. The stacks bundle the
 * validated document as JSON (`headroom.json`), read here without loading a YAML parser; a
 * YAML file or inline YAML (local use, tests) loads the parser on demand.
 */
export async function configFromEnv(value = process.env.HEADROOM_CONFIG): Promise<Config> {
  if (!value) throw new Error('HEADROOM_CONFIG is not set: the functions need the configuration');
  if (!value.includes('\n') && value.endsWith('.json')) {
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(value, 'utf8'));
    } catch (cause) {
      throw new ConfigError([
        `${value}: cannot read the bundled configuration (${(cause as Error).message})`,
      ]);
    }
    return validateConfig(document, value);
  }
  const { parseConfig } = await import('../config/load.ts');
  const { loadConfigFile } = await import('./config-file.ts');
  return value.includes('\n') ? parseConfig(value, 'HEADROOM_CONFIG') : loadConfigFile(value);
}

export const powertoolsLogger = new PowertoolsLogger({ serviceName: 'headroom' });
export const metrics = new Metrics({ namespace: 'Headroom', serviceName: 'headroom' });

/** The brain's Logger port on Powertools: structured JSON with the correlation id of the invocation. */
const brainLogger: Logger = {
  info: (m, f) => powertoolsLogger.info(m, f ?? {}),
  warn: (m, f) => powertoolsLogger.warn(m, f ?? {}),
  error: (m, f) => powertoolsLogger.error(m, f ?? {}),
};

/**
 * Slack and EventBridge notifications. The clients load on the first notification, not at cold
 * start: most invocations (a duplicate alarm, a status command) never notify anybody.
 */
export function notifierFor(config: Config): Notifier {
  const token = link('SlackBotToken')?.value;
  const slack = config.notifications.slack && token ? config.notifications.slack.channel : undefined;
  const bus = config.notifications.eventBus?.name ?? link('HeadroomBus')?.name;
  if (!slack && !bus) return nullNotifier;
  let made: Promise<Notifier> | undefined;
  const build = async (): Promise<Notifier> => {
    const notifiers: Notifier[] = [];
    if (slack && token) {
      const { SlackNotifier, slackClient } = await import('../adapters/slack/notifier.ts');
      notifiers.push(new SlackNotifier(slackClient(token), { channel: slack, logger: brainLogger }));
    }
    const { CompositeNotifier, EventBridgeNotifier } = await import('../adapters/events/notifier.ts');
    if (bus) {
      const { EventBridgeClient } = await import('@aws-sdk/client-eventbridge');
      notifiers.push(
        new EventBridgeNotifier(new EventBridgeClient({}), { busName: bus, logger: brainLogger }),
      );
    }
    return new CompositeNotifier(notifiers);
  };
  return {
    notify: async (n) => {
      made ??= build().catch((err: unknown) => {
        made = undefined;
        throw err;
      });
      await (await made).notify(n);
    },
  };
}

/** EventBridge Scheduler for campaign phases, loaded when a campaign is first added or cancelled. */
function schedulerFor(): PhaseScheduler | undefined {
  const targetArn = link('ScheduleTarget')?.arn;
  const roleArn = link('SchedulerRole')?.arn;
  const groupName = link('ScheduleGroup')?.name;
  if (!targetArn || !roleArn || !groupName) return undefined;
  let made: Promise<PhaseScheduler> | undefined;
  const scheduler = (): Promise<PhaseScheduler> => {
    made ??= Promise.all([
      import('@aws-sdk/client-scheduler'),
      import('../adapters/scheduler/eventbridge-scheduler.ts'),
    ]).then(
      ([{ SchedulerClient }, { EventBridgePhaseScheduler }]) =>
        new EventBridgePhaseScheduler(new SchedulerClient({}), { targetArn, roleArn, groupName }),
      (err: unknown) => {
        made = undefined;
        throw err;
      },
    );
    return made;
  };
  return {
    schedule: async (name, at, payload) => (await scheduler()).schedule(name, at, payload),
    cancel: async (name) => (await scheduler()).cancel(name),
  };
}

/**
 * Forecast demand from the signals' metric sources (CloudWatch, Prometheus, CSV), loaded on
 * the first reconcile that needs it: handlers that never plan do not pay for the CloudWatch
 * client at cold start. The provider (and its cached fits) lives as long as the execution environment.
 */
function lazyForecastDemand(config: Config): { demand: DemandProvider; observed?: MetricSource } {
  let wiring: Promise<ForecastWiring> | undefined;
  const load = () => {
    wiring ??= import('./forecast-wiring.ts').then(
      (m) => m.forecastWiring(config, { logger: brainLogger }),
      (err: unknown) => {
        wiring = undefined;
        throw err;
      },
    );
    return wiring;
  };
  return {
    demand: {
      demand: async (cfg, now, until, context) => (await load()).demand.demand(cfg, now, until, context),
    },
    // The surge detector's recent minutes come from the same sources (`surge:` in the config).
    observed: config.surge?.enabled
      ? { history: async (signal, q) => (await load()).observed!.history(signal, q) }
      : undefined,
  };
}

/** Slow Slack work runs in a second, asynchronous invocation of this same function. */
function lambdaDeferrer(): TriggerDeps['defer'] {
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (!name) return undefined;
  return async (job) => {
    const payload: DeferredInvocation = { headroomDeferred: job };
    await invokeAsync(name, payload);
  };
}

/** Wires one brain for this execution environment: the DynamoDB store, AWS actuators, notifiers. */
export async function buildLambdaRuntime(o: LambdaRuntimeOverrides = {}): Promise<LambdaRuntime> {
  const config = o.config ?? (await configFromEnv());
  const clock = o.clock ?? systemClock;
  let store = o.store;
  if (!store) {
    const table = link('StateTable')?.name;
    if (!table) throw new Error('the function is not linked to StateTable');
    store = new DynamoStateStore({ client: new DynamoDBClient({}), tableName: table });
  }
  // Loaded only here so tests that inject actuators never load the AWS SDK adapters.
  const actuators = o.actuators ?? (await import('./actuators.ts')).awsActuators(config, clock);
  const brain = new Brain({
    config,
    repo: new Repo(store),
    actuators,
    clock,
    notifier: o.notifier ?? notifierFor(config),
    scheduler: o.scheduler ?? schedulerFor(),
    ...(o.demand ? { demand: o.demand } : lazyForecastDemand(config)),
    predictive: predictiveIntents,
    logger: brainLogger,
    owner: `lambda-${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? randomUUID()}`,
    // A claimed idempotency key is "in progress" for as long as this invocation can live.
    inProgressSeconds: Number(process.env.HEADROOM_TIMEOUT_SECONDS) || undefined,
  });
  const deps: TriggerDeps = {
    brain,
    clock,
    logger: brainLogger,
    // Fail closed: without the linked token no bearer can match and every call is a 401.
    webhookToken: link('WebhookToken')?.value ?? '',
    slackSigningSecret: link('SlackSigningSecret')?.value,
    // Unlinked (no secret): every dashboard request is a 401.
    dashboardToken: link('DashboardToken')?.value,
    defer: o.defer ?? lambdaDeferrer(),
  };
  return { brain, deps, logger: powertoolsLogger, metrics };
}

let current: Promise<LambdaRuntime> | undefined;

/** The runtime of this cold start, built on first use and shared by every later invocation. */
export function lambdaRuntime(): Promise<LambdaRuntime> {
  current ??= buildLambdaRuntime().catch((err: unknown) => {
    current = undefined;
    throw err;
  });
  return current;
}

/** Tests: use this runtime instead of the AWS one (or forget it with undefined). */
export function useLambdaRuntime(rt: LambdaRuntime | Promise<LambdaRuntime> | undefined): void {
  current = rt === undefined ? undefined : Promise.resolve(rt);
}
