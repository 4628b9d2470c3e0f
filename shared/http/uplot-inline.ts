import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let files: { js: string; css: string } | undefined;

/**
 * uPlot's browser build and stylesheet as text, read once from node_modules: what the
 * self-contained HTML reports (backtest, capacity) inline so they load nothing from the network.
 */
export function uplotInline(): { js: string; css: string } {
  if (!files) {
    const require = createRequire(import.meta.url);
    files = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return files;
}
