import { Command } from 'commander';
import { rbacManifest } from '../iam/rbac.ts';
import { loadConfigOption } from './options.ts';

/** `headroom rbac`: the Kubernetes RBAC manifests Headroom's identity needs for a config. */
export function rbacCommand(): Command {
  return new Command('rbac')
    .description("print the Kubernetes RBAC manifests Headroom's identity needs (kubectl apply -f -)")
    .option('--config <file>', 'configuration file')
    .action((opts: { config?: string }) => {
      process.stdout.write(rbacManifest(loadConfigOption(opts.config)));
    });
}
