import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The design's dependency rule, checked on the import graph of `shared/` (read with the
 * TypeScript compiler, so type-only imports and re-exports count as arrows too).
 *
 * Files are named by their path from the repository root with forward slashes
 * (`shared/planner/plan.ts`), so a fixture can be checked without touching the tree.
 */

/** One import (or re-export, or dynamic import) in a file, as written and where it resolves. */
export interface ImportEdge {
  /** The specifier as written: `'../ports/clock.ts'`, `'@aws-sdk/client-rds'`. */
  specifier: string;
  /** The `shared/` file it resolves to, for a relative import; undefined for a package. */
  resolved?: string;
  typeOnly: boolean;
  /** `import('...')`: loaded when the code runs, not when the file is loaded. */
  dynamic: boolean;
}

export interface ParsedFile {
  imports: ImportEdge[];
  /** Reads of the process environment or the wall clock, as `process.env` / `Date.now()`. */
  ambient: { what: string; line: number }[];
}

/** The core: pure decisions that must run the same in Lambda, the CLI, the backtest and tests. */
const CORE_AREAS = ['domain', 'config', 'rules', 'campaigns', 'planner', 'kinds', 'iam'];
/** The forecasting maths; `provider.ts` is the stateful provider (history, cache, logging). */
const FORECAST_NOT_MODEL = new Set(['shared/forecast/provider.ts']);
/** Areas the core (and any forecast file) must never reach: they sit above it. */
const UPPER_AREAS = ['app', 'adapters', 'triggers', 'backtest', 'cli'];
const SDK = /^@(aws-sdk|kubernetes|slack|smithy)\//;
const FS = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);

/** `shared/planner/plan.ts` -> `planner`; undefined outside `shared/`. */
export function areaOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'shared' || parts.length < 3) return undefined;
  return parts[1];
}

export function isCore(file: string): boolean {
  const area = areaOf(file);
  if (area === undefined) return false;
  if (area === 'forecast') return !FORECAST_NOT_MODEL.has(file);
  return CORE_AREAS.includes(area) || area.startsWith('campaigns');
}

/**
 * The adapters are one area: the drivers of the outside world, grouped by service. One may build
 * on another's client (Kubernetes on EKS authenticates with an EKS token; every AWS client
 * shares `aws-clients.ts`). They say what they need from a target's spec themselves and never
 * import the kinds, which load them.
 */
const ADAPTERS = 'shared/adapters/';
/**
 * A kind module names its actuator with a deferred `import('../adapters/...')`: the core can
 * read every kind without loading an SDK, and the app loads the adapter when it drives a target.
 */
const KIND_MODULES = 'shared/kinds/';

export function parseFile(file: string, source: string, known: ReadonlySet<string>): ParsedFile {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports: ImportEdge[] = [];
  const ambient: ParsedFile['ambient'] = [];
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const add = (specifier: string, typeOnly: boolean, dynamic = false) => {
    const resolved = resolve(file, specifier, known);
    imports.push(resolved ? { specifier, resolved, typeOnly, dynamic } : { specifier, typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteral(e)) add(e.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      const dynamic =
        node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require');
      if (dynamic && arg && ts.isStringLiteralLike(arg)) add(arg.text, false, true);
      if (
        ts.isPropertyAccessExpression(node.expression) &&
        ts.isIdentifier(node.expression.expression) &&
        node.expression.expression.text === 'Date' &&
        node.expression.name.text === 'now'
      )
        ambient.push({ what: 'Date.now()', line: lineOf(node) });
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) add(arg.literal.text, true);
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'Date' &&
      (node.arguments === undefined || node.arguments.length === 0)
    ) {
      ambient.push({ what: 'new Date()', line: lineOf(node) });
    } else if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'process' &&
      node.name.text === 'env'
    ) {
      ambient.push({ what: 'process.env', line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { imports, ambient };
}

function resolve(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`])
    if (known.has(candidate)) return candidate;
  return base;
}

/**
 * Every breach of the rule in `files` (path -> source), one message per offending import or
 * read, each naming the file and what it imports. Empty when the graph keeps the rule.
 */
export function checkDependencyRule(files: ReadonlyMap<string, string>): string[] {
  const known = new Set(files.keys());
  const parsed = new Map<string, ParsedFile>();
  for (const [file, source] of files) parsed.set(file, parseFile(file, source, known));
  const out: string[] = [];

  for (const [file, { imports, ambient }] of [...parsed].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const area = areaOf(file);
    if (area === undefined) continue;
    const core = isCore(file);
    for (const imp of imports) {
      const named = `${file} imports '${imp.specifier}'`;
      const target = imp.resolved;
      const targetArea = target ? areaOf(target) : undefined;
      if (core && SDK.test(imp.specifier)) out.push(`${named}: the core imports no cloud SDK`);
      if (core && FS.has(imp.specifier)) out.push(`${named}: the core does not touch the file system`);
      const deferredActuator = file.startsWith(KIND_MODULES) && imp.dynamic && target?.startsWith(ADAPTERS);
      if (
        (core || area === 'forecast') &&
        targetArea &&
        UPPER_AREAS.includes(targetArea) &&
        !deferredActuator
      )
        out.push(`${named}: the core (and forecasting) imports nothing from ${targetArea}/`);
      if (area === 'adapters' && target) {
        const ok =
          target.startsWith(ADAPTERS) ||
          targetArea === 'ports' ||
          targetArea === 'domain' ||
          (targetArea === 'config' && imp.typeOnly);
        if (!ok)
          out.push(`${named}: an adapter imports only ports/, domain/, config/ types and other adapters`);
      }
      if (area === 'ports' && target) {
        const ok =
          targetArea === 'ports' || targetArea === 'domain' || (targetArea === 'config' && imp.typeOnly);
        if (!ok) out.push(`${named}: a port imports only ports/, domain/ and config/ types`);
      }
    }
    if (core)
      for (const a of ambient)
        out.push(`${file}:${a.line} reads ${a.what}: the core gets time and settings from its caller`);
  }

  for (const cycle of importCycles(parsed)) out.push(`import circle: ${cycle.join(' -> ')}`);
  return out;
}

/** Each import circle among the files (strongly connected components), as a closed path. */
export function importCycles(parsed: ReadonlyMap<string, ParsedFile>): string[][] {
  const edges = new Map<string, string[]>();
  for (const [file, p] of parsed)
    edges.set(file, [
      ...new Set(p.imports.flatMap((i) => (i.resolved && parsed.has(i.resolved) ? [i.resolved] : []))),
    ]);
  // Tarjan's strongly connected components, iteratively numbered.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const strong = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(pathThrough(component, edges));
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) strong(v);
  return cycles;
}

/** A closed path through a strongly connected component, so the message shows the circle. */
function pathThrough(component: string[], edges: ReadonlyMap<string, string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  // Breadth-first from start back to start, inside the component.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of edges.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const chain: string[] = [];
        for (let at: string | undefined = v; at !== undefined && at !== start; at = prev.get(at))
          chain.unshift(at);
        return [start, ...chain, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component, component[0]!];
}

/** Every `.ts` file under `dir` of the repository at `root`, keyed by its repository path. */
export function readSources(root: string, dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
        out.set(child, readFileSync(path.join(root, child), 'utf8'));
    }
  };
  walk(dir);
  return out;
}
