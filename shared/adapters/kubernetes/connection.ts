import type {
  ApisApi,
  AppsV1Api,
  AutoscalingV2Api,
  ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  ObservableMiddleware,
  SchedulingV1Api,
} from '@kubernetes/client-node';
import { ActuatorError } from '../../domain/errors.ts';
import { type Clock, systemClock } from '../../ports/clock.ts';
import { kubernetesClient } from './client.ts';
import { type Access, httpStatus, kubeError } from './errors.ts';

/** Where a cluster's API and credentials come from: a kubeconfig context or EKS. */
export interface ClusterSource {
  /** For messages: `kubeconfig context kind-dev`, `EKS cluster kaireon-prod`. */
  readonly description: string;
  /** The client configuration; built on first use, again after `reset`. */
  kubeConfig(): Promise<KubeConfig>;
  /** The API refused the credentials (401): the next request must carry fresh ones. */
  refreshCredentials(): void;
  /** The API could not be reached: look the endpoint up again next time (EKS). */
  reset(): void;
}

export interface Apis {
  autoscaling: AutoscalingV2Api;
  apps: AppsV1Api;
  scheduling: SchedulingV1Api;
  custom: CustomObjectsApi;
  core: CoreV1Api;
  /** API discovery (`/apis`): which groups and versions the cluster serves. */
  discovery: ApisApi;
}

/** The per-call options of the generated client: a request timeout, and the patch type. */
export interface CallOptions {
  read: ConfigurationOptions;
  mergePatch: ConfigurationOptions;
}

export interface ConnectionOptions {
  /** Per request; an API server that does not answer is `unreachable` and retried next reconcile. */
  timeoutMs?: number;
  /** What `remember` measures its time-to-live with (the brain's clock; default the system's). */
  clock?: Clock;
}

/**
 * One Kubernetes cluster as the actuators use it, through @kubernetes/client-node. Every call
 * names the access it needs so a refusal says which RBAC rule is missing; a 401 refreshes the
 * credentials and retries once; errors come out as ActuatorErrors.
 */
export class KubeConnection {
  readonly cluster: string;
  private readonly source: ClusterSource;
  private readonly timeoutMs: number;
  private apis?: Promise<Apis & { options: CallOptions }>;
  private readonly clock: Clock;
  private readonly remembered = new Map<string, { until: number; value: Promise<unknown> }>();

  constructor(cluster: string, source: ClusterSource, opts: ConnectionOptions = {}) {
    this.cluster = cluster;
    this.source = source;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * The answer of `fn` kept `ttlSeconds` under `key` (facts that rarely change, like the pod
   * requests of a workload's template): concurrent and later callers share one API call.
   * A failure is not kept.
   */
  remember<T>(key: string, ttlSeconds: number, fn: () => Promise<T>): Promise<T> {
    const now = this.clock.now().getTime();
    const kept = this.remembered.get(key);
    if (kept && kept.until > now) return kept.value as Promise<T>;
    const value = fn();
    this.remembered.set(key, { until: now + ttlSeconds * 1000, value });
    value.catch(() => {
      if (this.remembered.get(key)?.value === value) this.remembered.delete(key);
    });
    return value;
  }

  get description(): string {
    return this.source.description;
  }

  /** Runs one API call; `fn` gets the typed clients and the per-call options. */
  async call<T>(access: Access, fn: (apis: Apis, o: CallOptions) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let apis: Apis & { options: CallOptions };
      try {
        apis = await this.clients();
      } catch (err) {
        this.apis = undefined;
        if (err instanceof ActuatorError) throw err;
        throw new ActuatorError('invalid-request', `${this.source.description}: ${(err as Error).message}`);
      }
      try {
        return await fn(apis, apis.options);
      } catch (err) {
        if (httpStatus(err) === 401 && attempt === 0) {
          // Expired or revoked credentials: one retry with fresh ones, then it is an error.
          this.source.refreshCredentials();
          this.apis = undefined;
          continue;
        }
        const e = kubeError(err, access, this.cluster);
        if (e.code === 'unreachable') {
          this.source.reset();
          this.apis = undefined;
        }
        throw e;
      }
    }
  }

  private clients(): Promise<Apis & { options: CallOptions }> {
    this.apis ??= Promise.all([kubernetesClient(), this.source.kubeConfig()]).then(([k, kc]) => {
      const ms = this.timeoutMs;
      const timeout: ObservableMiddleware = {
        pre: (ctx) => {
          ctx.setSignal(AbortSignal.timeout(ms));
          return new k.Observable(Promise.resolve(ctx));
        },
        post: (res) => new k.Observable(Promise.resolve(res)),
      };
      const read: ConfigurationOptions = { middleware: [timeout], middlewareMergeStrategy: 'append' };
      return {
        autoscaling: kc.makeApiClient(k.AutoscalingV2Api),
        apps: kc.makeApiClient(k.AppsV1Api),
        scheduling: kc.makeApiClient(k.SchedulingV1Api),
        custom: kc.makeApiClient(k.CustomObjectsApi),
        core: kc.makeApiClient(k.CoreV1Api),
        discovery: kc.makeApiClient(k.ApisApi),
        options: { read, mergePatch: k.setHeaderOptions('Content-Type', k.PatchStrategy.MergePatch, read) },
      };
    });
    return this.apis;
  }
}
