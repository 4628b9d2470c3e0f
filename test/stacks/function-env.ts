import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableIfMissing, DynamoStateStore } from '../../shared/adapters/state/index.ts';
import { Repo } from '../../shared/state/repo.ts';
import { configJson } from '../../stacks/config.ts';
import { BUNDLED_CONFIG, LINK } from '../../stacks/settings.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';
import { type FakeAws, startFakeAws } from './fake-aws.ts';

/**
 * The environment a deployed function runs in, for the tests of test/stacks: the linked values
 * SST gives it (SST_RESOURCE_<Name>), a DynamoDB (dynalite) for its linked table, the other AWS
 * endpoints (fake-aws.ts), and a package directory holding the bundled config.
 */
export const REGION = 'eu-central-1';
export const ACCOUNT = '123456789012';
export const ROOT = path.resolve(import.meta.dirname, '../..');

/** The linked values of every function, by the names the stacks give them. */
export function linkedValues(table: string): Record<string, unknown> {
  return {
    [LINK.StateTable]: { name: table, arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}` },
    [LINK.HeadroomBus]: {
      name: 'headroom-test',
      arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/headroom-test`,
    },
    [LINK.SchedulerRole]: { arn: `arn:aws:iam::${ACCOUNT}:role/headroom-test-scheduler` },
    [LINK.ScheduleGroup]: { name: 'headroom-test' },
    [LINK.ScheduleTarget]: { arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:headroom-test-schedule` },
  };
}

/** The variables of libfaketime (the preload and its settings) when this process runs under it. */
export function clockEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined &&
        (e[0] === 'LD_PRELOAD' || e[0].startsWith('FAKETIME') || e[0] === 'DONT_FAKE_MONOTONIC'),
    ),
  );
}

export interface Backends {
  fake: FakeAws;
  /** The DynamoDB endpoint holding the linked table. */
  dynamo: string;
  /** The function package: its working directory, with the bundled config. */
  pkg: string;
  /** The environment of the function with these links (and nothing of this process). */
  env(links: Record<string, unknown>, extra?: Record<string, string>): Record<string, string>;
  /** The linked table, read as the functions write it. */
  repo(): { repo: Repo; close(): void };
  close(): Promise<void>;
}

export async function startBackends(table: string): Promise<Backends> {
  const fake = await startFakeAws(REGION, ACCOUNT);
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const dynamo = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = () =>
    new DynamoDBClient({
      endpoint: dynamo,
      region: REGION,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    });
  const setup = client();
  await createTableIfMissing(setup, table);
  setup.destroy();
  const pkg = mkdtempSync(path.join(tmpdir(), 'headroom-package-'));
  writeFileSync(path.join(pkg, BUNDLED_CONFIG), configJson(EXAMPLE_CONFIG));
  return {
    fake,
    dynamo,
    pkg,
    env: (links, extra = {}) => ({
      PATH: process.env.PATH ?? '',
      // The function runs on this machine and shares its clock: under faketime (the suite at a
      // future date, docs/testing.md) times this process computes are checked against the same
      // time in the child.
      ...clockEnv(process.env),
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_ENDPOINT_URL: fake.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo,
      HEADROOM_CONFIG: BUNDLED_CONFIG,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      FUNCTIONS_DIR: path.join(ROOT, 'functions'),
      SST_RESOURCE_App: JSON.stringify({ name: 'headroom', stage: 'test' }),
      ...Object.fromEntries(Object.entries(links).map(([k, v]) => [`SST_RESOURCE_${k}`, JSON.stringify(v)])),
      ...extra,
    }),
    repo: () => {
      const c = client();
      return {
        repo: new Repo(new DynamoStateStore({ client: c, tableName: table })),
        close: () => c.destroy(),
      };
    },
    close: async () => {
      await fake.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(pkg, { recursive: true, force: true });
    },
  };
}
