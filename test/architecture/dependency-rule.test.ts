import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDependencyRule, readSources } from './import-graph.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Breaches of the rule the tree still holds, each with its reason. Empty: a new entry needs a
 * reason a reviewer accepts, and the test fails when an entry is no longer needed.
 */
const EXCEPTIONS: { message: string; reason: string }[] = [];

/** The real tree with `extra` files added (or replaced), never written to disk. */
function treeWith(extra: Record<string, string>): Map<string, string> {
  const files = readSources(ROOT, 'shared');
  for (const [file, source] of Object.entries(extra)) files.set(file, source);
  return files;
}

/** The breaches `extra` adds to the tree. */
function breachesOf(extra: Record<string, string>): string[] {
  const before = new Set(checkDependencyRule(readSources(ROOT, 'shared')));
  return checkDependencyRule(treeWith(extra)).filter((m) => !before.has(m));
}

describe('The dependency rule (DESIGN.md: the core imports no SDK, env or clock)', () => {
  it('holds for every file in shared/', () => {
    const found = checkDependencyRule(readSources(ROOT, 'shared'));
    expect(found.filter((m) => !EXCEPTIONS.some((e) => e.message === m))).toEqual([]);
    for (const e of EXCEPTIONS)
      expect(found, `exception no longer needed: ${e.message}`).toContain(e.message);
  });

  it('fails on a cloud SDK imported by the planner, naming the file and the import', () => {
    const found = breachesOf({
      'shared/planner/fixture.ts':
        "import { RDSClient } from '@aws-sdk/client-rds';\nexport const c = RDSClient;\n",
    });
    expect(found).toEqual([
      "shared/planner/fixture.ts imports '@aws-sdk/client-rds': the core imports no cloud SDK",
    ]);
  });

  it('fails on the file system, the environment and the wall clock in the core', () => {
    const found = breachesOf({
      'shared/rules/fixture.ts': [
        "import { readFileSync } from 'node:fs';",
        'export const region = process.env.AWS_REGION;',
        'export const now = () => Date.now();',
        'export const today = () => new Date();',
        "export const fixed = new Date('2031-01-01T00:00:00Z');",
        "export const read = () => readFileSync('x');",
      ].join('\n'),
    });
    expect(found).toEqual([
      "shared/rules/fixture.ts imports 'node:fs': the core does not touch the file system",
      'shared/rules/fixture.ts:2 reads process.env: the core gets time and settings from its caller',
      'shared/rules/fixture.ts:3 reads Date.now(): the core gets time and settings from its caller',
      'shared/rules/fixture.ts:4 reads new Date(): the core gets time and settings from its caller',
    ]);
  });

  it('lets the layers above read the clock and the environment', () => {
    expect(
      breachesOf({ 'shared/app/fixture.ts': 'export const now = () => Date.now() + Number(process.env.X);' }),
    ).toEqual([]);
  });

  it('fails on the core or forecasting importing a layer above it, type-only imports included', () => {
    const found = breachesOf({
      'shared/config/fixture.ts':
        "import type { SimSettings } from '../backtest/run.ts';\nexport type S = SimSettings;",
      'shared/forecast/provider.ts': "import { Brain } from '../app/brain.ts';\nexport const B = Brain;",
      'shared/campaigns/fixture.ts': "export { main } from '../cli/main.ts';",
    });
    expect(found).toEqual([
      "shared/campaigns/fixture.ts imports '../cli/main.ts': the core (and forecasting) imports nothing from cli/",
      "shared/config/fixture.ts imports '../backtest/run.ts': the core (and forecasting) imports nothing from backtest/",
      "shared/forecast/provider.ts imports '../app/brain.ts': the core (and forecasting) imports nothing from app/",
    ]);
  });

  it('lets an adapter import ports, domain, config types and other adapters, and nothing else', () => {
    const found = breachesOf({
      'shared/adapters/aws/fixture.ts': [
        "import type { Config } from '../../config/types.ts';",
        "import { validateConfig } from '../../config/validate.ts';",
        "import type { Clock } from '../../ports/clock.ts';",
        "import { ActuatorError } from '../../domain/errors.ts';",
        "import { awsClientConfig } from '../aws-clients.ts';",
        "import { eksClient } from '../eks/clients.ts';",
        "import { KINDS } from '../../kinds/index.ts';",
        "import { Brain } from '../../app/brain.ts';",
        "import { toGrid } from '../../forecast/grid.ts';",
      ].join('\n'),
    });
    const why = 'an adapter imports only ports/, domain/, config/ types and other adapters';
    expect(found).toEqual([
      `shared/adapters/aws/fixture.ts imports '../../config/validate.ts': ${why}`,
      `shared/adapters/aws/fixture.ts imports '../../kinds/index.ts': ${why}`,
      `shared/adapters/aws/fixture.ts imports '../../app/brain.ts': ${why}`,
      `shared/adapters/aws/fixture.ts imports '../../forecast/grid.ts': ${why}`,
    ]);
  });

  it('lets a port import only ports, domain and config types', () => {
    expect(
      breachesOf({ 'shared/ports/fixture.ts': "import { awsActuators } from '../app/actuators.ts';" }),
    ).toEqual([
      "shared/ports/fixture.ts imports '../app/actuators.ts': a port imports only ports/, domain/ and config/ types",
    ]);
  });

  it('fails on an import circle anywhere in shared/, naming the files around it', () => {
    const found = breachesOf({
      'shared/executor/fixture-a.ts': "import { b } from './fixture-b.ts';\nexport const a = () => b;",
      'shared/executor/fixture-b.ts':
        "import type { a } from './fixture-a.ts';\nexport const b = 1 as unknown as typeof a;",
    });
    expect(found).toEqual([
      'import circle: shared/executor/fixture-a.ts -> shared/executor/fixture-b.ts -> shared/executor/fixture-a.ts',
    ]);
  });
});
