import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Command } from 'commander';
import { InputError } from '../domain/errors.ts';

/** AWS credentials or a provider of them, as the signer takes them. */
type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/**
 * The deployed brain's operator API (docs/operations.md) from a terminal: every request signed
 * with SigV4 for `execute-api`, with the credentials of the default provider chain (env,
 * profile, SSO, instance role), as the API's IAM auth requires.
 */
export interface RemoteApi {
  url: string;
  get<T>(route: string, query?: Record<string, string | undefined>): Promise<T>;
  post<T>(route: string, body: unknown): Promise<T>;
}

export interface RemoteOptions {
  api?: string;
  stage?: string;
}

/** `--api URL` and `--stage NAME` on a command that can run against the deployed brain. */
export function withRemote(c: Command): Command {
  return c
    .option(
      '--api <url>',
      'the deployed API (IAM/SigV4 auth, default AWS credentials) instead of the local store',
    )
    .option('--stage <name>', 'the deployed API of this SST stage (from .sst/outputs.json)');
}

/** `https://abc.execute-api.eu-central-1.amazonaws.com` -> `eu-central-1`. */
function regionOf(url: URL, env: NodeJS.ProcessEnv): string {
  const m = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname);
  const region = m?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new InputError(`--api: cannot tell the AWS region of ${url.origin}: set AWS_REGION`);
  return region;
}

/**
 * The API URL of an SST stage: the `api` output `sst deploy` wrote to `.sst/outputs.json`, when
 * those outputs are of that stage (sst.config.ts outputs `stage` too).
 */
export function stageApiUrl(stage: string, cwd = process.cwd()): string {
  const file = path.join(cwd, '.sst', 'outputs.json');
  const hint = `run \`npx sst deploy --stage ${stage}\` in this directory, or pass --api URL (the \`api\` output of the deploy)`;
  if (!existsSync(file)) throw new InputError(`--stage ${stage}: no SST outputs here (${file}): ${hint}`);
  let outputs: { stage?: unknown; api?: unknown };
  try {
    outputs = JSON.parse(readFileSync(file, 'utf8')) as typeof outputs;
  } catch (err) {
    throw new InputError(`--stage ${stage}: ${file} is not JSON (${(err as Error).message}): ${hint}`);
  }
  if (outputs.stage !== stage)
    throw new InputError(
      `--stage ${stage}: ${file} holds the outputs of stage ${typeof outputs.stage === 'string' ? `"${outputs.stage}"` : '(unknown)'}: ${hint}`,
    );
  if (typeof outputs.api !== 'string' || !outputs.api)
    throw new InputError(`--stage ${stage}: ${file} has no api output: ${hint}`);
  return outputs.api;
}

/** The remote API the options name, if any (`--api` and `--stage` exclude each other). */
export function remoteFrom(
  opts: RemoteOptions,
  deps: { env?: NodeJS.ProcessEnv; credentials?: Credentials; cwd?: string } = {},
): RemoteApi | undefined {
  if (opts.api !== undefined && opts.stage !== undefined)
    throw new InputError('--api and --stage: give one of them');
  const text = opts.api ?? (opts.stage !== undefined ? stageApiUrl(opts.stage, deps.cwd) : undefined);
  if (text === undefined) return undefined;
  let base: URL;
  try {
    base = new URL(text);
  } catch {
    throw new InputError(`--api: invalid URL "${text}"`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new InputError(`--api: expected an https:// URL, got "${text}"`);
  const env = deps.env ?? process.env;
  const region = regionOf(base, env);
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    sha256: Sha256,
    credentials: deps.credentials ?? fromNodeProviderChain(),
  });
  const prefix = base.pathname.replace(/\/+$/, '');

  async function call<T>(
    method: string,
    route: string,
    query: Record<string, string>,
    body?: unknown,
  ): Promise<T> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { host: base.host };
    if (text !== undefined) headers['content-type'] = 'application/json';
    const request = new HttpRequest({
      method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port ? Number(base.port) : undefined,
      path: `${prefix}${route}`,
      query,
      headers,
      body: text,
    });
    let signed: HttpRequest;
    try {
      signed = (await signer.sign(request)) as HttpRequest;
    } catch (err) {
      throw new InputError(
        `no AWS credentials to sign the request to ${base.origin}: ${(err as Error).message}`,
      );
    }
    const qs = new URLSearchParams(query).toString();
    const url = `${base.origin}${signed.path}${qs ? `?${qs}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers: signed.headers as Record<string, string>, body: text });
    } catch (err) {
      throw new InputError(`cannot reach ${base.origin}: ${(err as Error).cause ?? (err as Error).message}`);
    }
    const answer = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const p = parsed as { error?: unknown; message?: unknown } | undefined;
      const message = String(p?.error ?? p?.message ?? answer.slice(0, 200));
      const auth =
        res.status === 401 || res.status === 403
          ? ' (the API takes SigV4-signed requests from IAM principals allowed execute-api:Invoke on it)'
          : '';
      throw new InputError(`${method} ${route}: the API answered ${res.status}: ${message}${auth}`);
    }
    if (parsed === undefined) throw new InputError(`${method} ${route}: the API answered no JSON`);
    return parsed as T;
  }

  return {
    url: base.toString(),
    get: (route, query = {}) =>
      call(
        'GET',
        route,
        Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined)),
      ),
    post: (route, body) => call('POST', route, {}, body),
  };
}
