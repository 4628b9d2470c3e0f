import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PLATFORM = path.join(ROOT, '.sst/platform/config.d.ts');
const INFRA = path.join(ROOT, 'tsconfig.infra.json');

const STACK_FILES = [
  path.join(ROOT, 'sst.config.ts'),
  ...readdirSync(path.join(ROOT, 'stacks'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(ROOT, 'stacks', f)),
];

/** Parsed files shared by every program below: only the replaced files are parsed again. */
const parsedFiles = new Map<string, ts.SourceFile>();

/**
 * The infra program exactly as `npm run typecheck:infra` builds it (tsconfig.infra.json,
 * against the platform `sst install` generated), with some files' text replaced in memory:
 * the working tree is never touched, so other checks running beside this one see no probe.
 */
function infraProgram(replace: Record<string, string> = {}): ts.Program {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    INFRA,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('cannot read tsconfig.infra.json');
  const host = ts.createCompilerHost(parsed.options);
  const read = host.readFile.bind(host);
  host.readFile = (file) => replace[path.resolve(file)] ?? read(file);
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, onError) => {
    const text = replace[path.resolve(file)];
    if (text !== undefined) return ts.createSourceFile(file, text, lang, true);
    let source = parsedFiles.get(file);
    if (!source) {
      source = getSource(file, lang, onError);
      if (source) parsedFiles.set(file, source);
    }
    return source;
  };
  return ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
}

/** Errors located in sst.config.ts and stacks/, as `file(line): TScode message`. */
function stackErrors(program: ts.Program): string[] {
  return STACK_FILES.flatMap((file) => {
    const source = program.getSourceFile(file);
    if (!source) return [`${path.relative(ROOT, file)}: not part of the infra program`];
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
      (d) => {
        const line = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
        return `${path.relative(ROOT, file)}(${line}): TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      },
    );
  });
}

const edit = (file: string, from: string, to: string): Record<string, string> => {
  const abs = path.join(ROOT, file);
  const text = readFileSync(abs, 'utf8');
  if (!text.includes(from))
    throw new Error(`${file} no longer contains ${JSON.stringify(from)}: update the probe`);
  return { [abs]: text.replace(from, to) };
};

describe('Infra type check: sst.config.ts and stacks/ against the SST platform', () => {
  let clean: ts.Program;
  beforeAll(() => {
    // `npm test` runs `sst install` (typecheck:infra) before vitest; alone, run `npm run sst:install`.
    expect(existsSync(PLATFORM), `${PLATFORM} is missing: run npm run sst:install`).toBe(true);
    clean = infraProgram();
  }, 120_000);

  it('type-checks every stack against the generated platform types, with no error', () => {
    const names = clean.getSourceFiles().map((s) => path.relative(ROOT, s.fileName));
    // The globals come from the real platform (sst.aws.Function, aws.iam.Role...), not from a stub.
    expect(names).toContain('.sst/platform/config.d.ts');
    expect(names).toContain('.sst/platform/src/components/aws/function.ts');
    expect(names.some((n) => n.includes('.sst/platform/node_modules/@pulumi/aws/'))).toBe(true);
    expect(stackErrors(clean)).toEqual([]);
  });

  it('fails on deliberate type errors in stacks, each reported in its own file', () => {
    const errors = stackErrors(
      infraProgram({
        // A runtime SST does not know.
        ...edit('stacks/functions.ts', "runtime: 'nodejs24.x'", "runtime: 'nodejs99.x'"),
        // A wrong field type in an SST component's arguments.
        ...edit(
          'stacks/state.ts',
          "fields: { pk: 'string', sk: 'string' }",
          "fields: { pk: 'text', sk: 'string' }",
        ),
        // A component that does not exist.
        ...edit('stacks/bus.ts', 'new sst.aws.Bus(', 'new sst.aws.EventBus('),
        // Arguments swapped in a call into shared/iam.
        ...edit('stacks/iam.ts', 'headroomPolicy(config, deployment)', 'headroomPolicy(deployment, config)'),
      }),
    );
    const byFile = (f: string) => errors.filter((e) => e.startsWith(`${f}(`));
    expect(byFile('stacks/functions.ts')).toEqual([
      expect.stringMatching(/^stacks\/functions\.ts\(\d+\): TS2820 Type '"nodejs99\.x"' is not assignable/),
    ]);
    expect(byFile('stacks/state.ts')).toEqual([
      expect.stringMatching(/TS2322 Type '"text"' is not assignable/),
    ]);
    expect(byFile('stacks/bus.ts')).toEqual([
      expect.stringMatching(/TS2339 Property 'EventBus' does not exist/),
    ]);
    expect(byFile('stacks/iam.ts').length).toBeGreaterThan(0);
    // Nothing else broke: the probes are the only errors.
    expect(errors.length).toBe(3 + byFile('stacks/iam.ts').length);
  }, 120_000);
});
