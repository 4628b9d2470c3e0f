import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { build, type Metafile } from 'esbuild';
import { createTableIfMissing } from '../shared/adapters/state/index.ts';
import { slackSignature } from '../shared/triggers/slack-signature.ts';
import { configJson } from '../stacks/config.ts';
import { BUNDLED_CONFIG } from '../stacks/settings.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLE = path.resolve(ROOT, '../shared/spec/headroom.example.yaml');
const EVENTS = path.join(ROOT, 'test/events');
const TARGETS = { bundleBytes: 1024 * 1024, coldImportMs: 150, peakRssMB: 256 };
const TOKEN = 'bench-token';
const SECRET = 'bench-signing-secret';

/** SST's ESM banner: bundled CommonJS dependencies still find `require`. */
const BANNER = `import { createRequire as topLevelCreateRequire } from 'module';const require = topLevelCreateRequire(import.meta.url);`;

const fixture = (name: string) => JSON.parse(readFileSync(path.join(EVENTS, name), 'utf8'));

function httpEvent(rawPath: string, body: string, headers: Record<string, string>) {
  return {
    version: '2.0',
    routeKey: `POST ${rawPath}`,
    rawPath,
    rawQueryString: '',
    headers,
    requestContext: { http: { method: 'POST', path: rawPath }, requestId: 'bench' },
    body,
    isBase64Encoded: false,
  };
}

/** One realistic event per function: each goes through parsing, the store and a reconcile where it would. */
function events(): Record<string, unknown> {
  const alarm = fixture('cloudwatch-alarm-state-change.json');
  alarm.detail.alarmName = 'kaireon-api-cpu-high';
  const ts = String(Math.floor(Date.now() / 1000));
  const slackBody = new URLSearchParams({
    command: '/headroom',
    text: 'campaign list',
    user_id: 'U024BE7LH',
    channel_id: 'C2147483705',
    response_url: 'https://hooks.slack.com/commands/1/2',
  }).toString();
  return {
    alarm,
    alertmanager: httpEvent('/alertmanager', JSON.stringify(fixture('alertmanager-webhook-v4.json')), {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
    }),
    slack: httpEvent('/slack/commands', slackBody, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': slackSignature(SECRET, ts, slackBody),
    }),
    schedule: { kind: 'campaign-phase', campaign: 'black-friday-tv', phase: 'start' },
    bus: fixture('headroom-floor-requested.json'),
  };
}

/** Imports the bundle in a fresh Node, then invokes the handler once; prints one JSON line. */
const CHILD = `
// The Lambda Node.js runtime interface client talks to the Runtime API through node:http
// (RAPIDClient requires it before the handler is loaded): the handler's import does not pay for it.
await import('node:http');
const t0 = performance.now();
const mod = await import(process.env.BENCH_BUNDLE);
const importMs = performance.now() - t0;
const ctx = { functionName: 'bench', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:bench', memoryLimitInMB: '256', awsRequestId: 'bench', logGroupName: 'g', logStreamName: 's', getRemainingTimeInMillis: () => 3000 };
let status, error;
const t1 = performance.now();
try { const r = await mod.handler(JSON.parse(process.env.BENCH_EVENT), ctx); status = r?.statusCode ?? (r?.rejected ? 'rejected' : 'ok'); } catch (e) { error = e.message; }
const invokeMs = performance.now() - t1;
process.stdout.write('\\n@@' + JSON.stringify({ importMs, invokeMs, peakRssMB: process.resourceUsage().maxRSS / 1024, status, error }) + '\\n');
process.exit(0);
`;

/** Fresh processes per function: the cold import is the median of these. */
const RUNS = 5;

type ChildResult = Omit<
  FunctionBench,
  'bundleBytes' | 'lazyChunkBytes' | 'withinTargets' | 'coldImportMs' | 'coldImportMaxMs'
> & { importMs: number };

export interface FunctionBench {
  /** The entry file and the chunks it imports statically: what a cold start loads. */
  bundleBytes: number;
  /** Chunks loaded on first use only (cloud actuators, the Kubernetes client). */
  lazyChunkBytes: number;
  /** Median over RUNS fresh processes. */
  coldImportMs: number;
  coldImportMaxMs: number;
  invokeMs: number;
  peakRssMB: number;
  status?: unknown;
  error?: string;
  withinTargets: boolean;
}

/** Bytes a cold start loads (the entry and its static imports) and bytes loaded only on first use. */
function chunkSizes(meta: Metafile, entry: string): { initial: number; lazy: number } {
  const initial = new Set<string>();
  const visit = (file: string) => {
    if (initial.has(file)) return;
    initial.add(file);
    for (const i of meta.outputs[file]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  let a = 0;
  let b = 0;
  for (const [file, out] of Object.entries(meta.outputs)) {
    if (!file.endsWith('.mjs')) continue;
    if (initial.has(file)) a += out.bytes;
    else b += out.bytes;
  }
  return { initial: a, lazy: b };
}

export async function benchFunctions(): Promise<object> {
  const dir = mkdtempSync(path.join(tmpdir(), 'headroom-bench-'));
  // The config as the stacks ship it: the validated document as JSON beside the code.
  const configFile = path.join(dir, BUNDLED_CONFIG);
  writeFileSync(configFile, configJson(EXAMPLE));
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    // Every AWS call but DynamoDB is refused at once: the bench measures Headroom, not the network.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_MAX_ATTEMPTS: '1',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    HEADROOM_CONFIG: configFile,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    SST_RESOURCE_App: JSON.stringify({ name: 'headroom', stage: 'bench' }),
    SST_RESOURCE_StateTable: JSON.stringify({ name: 'headroom-bench' }),
    SST_RESOURCE_WebhookToken: JSON.stringify({ value: TOKEN }),
    SST_RESOURCE_SlackSigningSecret: JSON.stringify({ value: SECRET }),
    SST_RESOURCE_HeadroomBus: JSON.stringify({ name: 'headroom-bench' }),
  };
  const results: Record<string, FunctionBench> = {};
  try {
    const client = new DynamoDBClient({
      endpoint,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    await createTableIfMissing(client, 'headroom-bench');
    client.destroy();
    const evs = events();
    for (const name of Object.keys(evs)) {
      const outdir = path.join(dir, name);
      // As the stacks bundle (nodejs.splitting): dynamic imports become chunks loaded on first use.
      const { metafile } = await build({
        entryPoints: [path.join(ROOT, 'functions', `${name}.ts`)],
        outdir,
        entryNames: '[name]',
        chunkNames: 'chunks/[name]-[hash]',
        outExtension: { '.js': '.mjs' },
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'node',
        target: 'node24',
        minify: true,
        treeShaking: true,
        mainFields: ['module', 'main'],
        banner: { js: BANNER },
        metafile: true,
        logLevel: 'silent',
      });
      const outfile = path.join(outdir, `${name}.mjs`);
      const sizes = chunkSizes(metafile, path.relative(process.cwd(), outfile));
      // A cold import is a few hundred ms of disk and CPU: one sample is noise, the median of
      // RUNS fresh processes is the number. The first run's invocation is a fresh delivery;
      // later ones would be duplicates, so only the first invoke time is kept.
      const runs: ChildResult[] = [];
      for (let i = 0; i < RUNS; i++) {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
          env: { ...env, BENCH_BUNDLE: outfile, BENCH_EVENT: JSON.stringify(evs[name]) },
          maxBuffer: 64 * 1024 * 1024,
          timeout: 60_000,
        });
        const line = stdout.split('\n').find((l) => l.startsWith('@@'));
        if (!line) throw new Error(`${name}: the child printed no result`);
        runs.push(JSON.parse(line.slice(2)) as ChildResult);
      }
      const imports = runs.map((r) => r.importMs).sort((a, b) => a - b);
      const m = {
        ...runs[0]!,
        importMs: imports[Math.floor(imports.length / 2)]!,
        importMaxMs: imports.at(-1)!,
        peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
      };
      const bundleBytes = sizes.initial;
      results[name] = {
        bundleBytes,
        lazyChunkBytes: sizes.lazy,
        coldImportMs: Math.round(m.importMs * 10) / 10,
        coldImportMaxMs: Math.round(m.importMaxMs * 10) / 10,
        invokeMs: Math.round(m.invokeMs * 10) / 10,
        peakRssMB: Math.round(m.peakRssMB * 10) / 10,
        status: m.status,
        error: m.error,
        withinTargets:
          bundleBytes <= TARGETS.bundleBytes &&
          m.importMs <= TARGETS.coldImportMs &&
          m.peakRssMB <= TARGETS.peakRssMB,
      };
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    node: process.version,
    targets: TARGETS,
    bundling:
      'esbuild, ESM, minified, tree-shaken, code splitting, platform node, target node24, AWS SDK bundled (as the stacks do)',
    functions: results,
  };
}
