#!/usr/bin/env node
// Entry point of `npx headroom`. Node 24 runs the TypeScript sources directly (type stripping).
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') console.warn(w);
});
const { main } = await import('../shared/cli/main.ts');
await main(process.argv);
