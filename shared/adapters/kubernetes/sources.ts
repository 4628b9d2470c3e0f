import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { KubeConfig, User } from '@kubernetes/client-node';
import { ActuatorError } from '../../domain/errors.ts';
import { describeEksCluster } from '../eks/cluster.ts';
import type { EksTokenSource } from '../eks/token.ts';
import { kubernetesClient } from './client.ts';
import type { ClusterSource } from './connection.ts';

/**
 * A kubeconfig context (local use, clusters outside EKS). The file is `path`, else the
 * `KUBECONFIG` list, else `~/.kube/config`, as kubectl reads it; users authenticate as the
 * context says (exec plugins such as `aws eks get-token`, tokens, client certificates).
 */
export class KubeconfigSource implements ClusterSource {
  private readonly context: string;
  private readonly file?: string;
  private loaded?: KubeConfig;

  constructor(opts: { context: string; path?: string }) {
    this.context = opts.context;
    this.file = opts.path;
  }

  get description(): string {
    return `kubeconfig context ${this.context}`;
  }

  async kubeConfig(): Promise<KubeConfig> {
    if (this.loaded) return this.loaded;
    const { KubeConfig } = await kubernetesClient();
    const list = this.file ?? process.env.KUBECONFIG ?? path.join(homedir(), '.kube', 'config');
    // As kubectl: files of the list that do not exist are skipped; the first to define a name wins.
    const files = this.file ? [this.file] : list.split(path.delimiter).filter((f) => f && existsSync(f));
    if (this.file && !existsSync(this.file))
      throw new ActuatorError('invalid-request', `kubeconfig ${this.file} does not exist`);
    if (!files.length)
      throw new ActuatorError(
        'invalid-request',
        `no kubeconfig found (${list}); set KUBECONFIG or clusters.<id>.kubeconfig.path`,
      );
    const kc = new KubeConfig();
    kc.loadFromFile(files[0]!);
    for (const f of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(f);
      for (const c of more.getClusters()) if (!kc.getCluster(c.name)) kc.addCluster(c);
      for (const u of more.getUsers()) if (!kc.getUser(u.name)) kc.addUser(u);
      for (const c of more.getContexts()) if (!kc.getContextObject(c.name)) kc.addContext(c);
    }
    if (!kc.getContextObject(this.context))
      throw new ActuatorError(
        'invalid-request',
        `kubeconfig context "${this.context}" not found in ${files.join(path.delimiter)} (contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    kc.setCurrentContext(this.context);
    this.loaded = kc;
    return kc;
  }

  /** A new KubeConfig has new authenticators: exec plugins run again, files are read again. */
  refreshCredentials(): void {
    this.loaded = undefined;
  }

  reset(): void {
    this.loaded = undefined;
  }
}

const AUTH_PROVIDER = 'headroom-eks-token';

/**
 * An EKS cluster reached from outside: endpoint and CA from `DescribeCluster`, and a bearer
 * token presigned with the function's (or the assumed role's) credentials on every request.
 */
export class EksSource implements ClusterSource {
  private readonly clusterName: string;
  private readonly eks: EKSClient;
  private readonly tokens: EksTokenSource;
  private config?: Promise<KubeConfig>;

  constructor(opts: { clusterName: string; eks: EKSClient; tokens: EksTokenSource }) {
    this.clusterName = opts.clusterName;
    this.eks = opts.eks;
    this.tokens = opts.tokens;
  }

  get description(): string {
    return `EKS cluster ${this.clusterName}`;
  }

  kubeConfig(): Promise<KubeConfig> {
    this.config ??= Promise.all([kubernetesClient(), describeEksCluster(this.eks, this.clusterName)]).then(
      ([k, { endpoint, caData }]) => {
        const kc = new k.KubeConfig();
        const user: User = { name: 'headroom', authProvider: { name: AUTH_PROVIDER, config: {} } };
        kc.loadFromClusterAndUser(
          { name: this.clusterName, server: endpoint, caData, skipTLSVerify: false },
          user,
        );
        kc.addAuthenticator({
          isAuthProvider: (u) => u.authProvider?.name === AUTH_PROVIDER,
          applyAuthentication: async (_u, opts) => {
            opts.headers = { ...opts.headers, Authorization: `Bearer ${await this.tokens.token()}` };
          },
        });
        return kc;
      },
    );
    this.config.catch(() => {
      this.config = undefined;
    });
    return this.config;
  }

  refreshCredentials(): void {
    this.tokens.invalidate();
  }

  /** The endpoint may have changed (a private endpoint switched on): describe the cluster again. */
  reset(): void {
    this.config = undefined;
  }
}
