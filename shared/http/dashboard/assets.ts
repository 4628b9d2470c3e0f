import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The page's static files: plain HTML, CSS and ES modules, no build step. In the repository
 * they sit in `public/` beside this file and uPlot comes from node_modules; a Lambda package
 * carries them in `dashboard/` (stacks/functions.ts copies both there).
 */
export const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'login.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'login.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'views.js': 'text/javascript; charset=utf-8',
  'timeline.js': 'text/javascript; charset=utf-8',
  'charts.js': 'text/javascript; charset=utf-8',
  'uPlot.esm.js': 'text/javascript; charset=utf-8',
  'uPlot.min.css': 'text/css; charset=utf-8',
};

/** Where uPlot's files are in node_modules (undefined in a bundle without node_modules). */
function vendored(name: string): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(`uplot/dist/${name}`);
  } catch {
    return undefined;
  }
}

const cache = new Map<string, string>();

/** The text of one asset, or undefined when it is not one of ASSETS. */
export function asset(name: string): string | undefined {
  if (!(name in ASSETS)) return undefined;
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const candidates = [
    path.join(import.meta.dirname, 'public', name),
    vendored(name),
    path.join(process.cwd(), 'dashboard', name),
  ].filter((p): p is string => p !== undefined);
  const file = candidates.find((p) => existsSync(p));
  if (!file) throw new Error(`dashboard asset ${name} is missing (looked in ${candidates.join(', ')})`);
  const text = readFileSync(file, 'utf8');
  cache.set(name, text);
  return text;
}
