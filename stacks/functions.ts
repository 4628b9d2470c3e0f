import path from 'node:path';
import {
  BUNDLED_CONFIG,
  DASHBOARD_FILES,
  FUNCTIONS,
  type FunctionKey,
  type PhysicalNames,
  UNBUNDLED_PACKAGES,
} from './settings.ts';

/**
 * One role for every function. Its permissions are exactly the statements shared/iam derives
 * from the config (stacks/iam.ts), nothing from SST's link defaults; being one role, it is
 * also the one principal an EKS access entry maps to Kubernetes RBAC.
 */
export function functionsRole(names: PhysicalNames) {
  return new aws.iam.Role('FunctionsRole', {
    name: names.functionsRole,
    description: 'Headroom functions: least privilege derived from headroom.yaml',
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    }),
  });
}

export interface FunctionInputs {
  names: PhysicalNames;
  role: aws.iam.Role;
  /** The validated headroom.yaml rendered as JSON, bundled into every package. */
  configFile: string;
  /** Which functions this config needs (slack only when it uses Slack). */
  deploy: FunctionKey[];
  /** Linked to every function: the state table, the bus, the scheduler. */
  links: unknown[];
  /** Linked to one function only: its secrets. */
  linksOf: Partial<Record<FunctionKey, unknown[]>>;
  deadLetters: sst.aws.Queue;
}

const componentName = (key: FunctionKey) => `${key[0]!.toUpperCase()}${key.slice(1)}`;

/**
 * The Lambda functions of functions/: Node 24 on arm64 (cheaper per ms than x86 for the same
 * work), bundled by esbuild as ESM, minified and split (what `npm run bench -- functions`
 * measures: the cloud actuators and the Kubernetes client are chunks loaded on first use, not at
 * cold start), with the config at `headroom.json` in the package root, the Lambda working directory.
 * Asynchronous invocations that still fail after Lambda's two retries go to the dead-letter
 * queue. Live `sst dev` is off: develop with `headroom dev`, which serves the same handlers.
 */
export function brainFunctions(o: FunctionInputs): Partial<Record<FunctionKey, sst.aws.Function>> {
  const from = path.relative(process.cwd(), o.configFile);
  const fns: Partial<Record<FunctionKey, sst.aws.Function>> = {};
  for (const key of o.deploy) {
    const spec = FUNCTIONS[key];
    fns[key] = new sst.aws.Function(componentName(key), {
      name: o.names.functions[key],
      description: spec.description,
      handler: spec.handler,
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      memory: `${spec.memoryMB} MB`,
      timeout: `${spec.timeoutSeconds} seconds`,
      role: o.role.arn,
      link: [...o.links, ...(o.linksOf[key] ?? [])],
      copyFiles: [{ from, to: BUNDLED_CONFIG }, ...(key === 'alertmanager' ? DASHBOARD_FILES : [])],
      environment: {
        HEADROOM_CONFIG: BUNDLED_CONFIG,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // An idempotency key claimed by an invocation that died is free again after this.
        HEADROOM_TIMEOUT_SECONDS: String(spec.timeoutSeconds),
      },
      nodejs: { format: 'esm', minify: true, splitting: true, install: UNBUNDLED_PACKAGES },
      logging: { retention: '3 months' },
      dev: false,
      transform: {
        function: (args) => {
          args.deadLetterConfig = { targetArn: o.deadLetters.arn };
        },
      },
    });
  }
  return fns;
}
