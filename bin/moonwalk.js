#!/usr/bin/env node
// The `moonwalk` command. The TypeScript is compiled to dist/ by `npm install` (postinstall) and `npm test`.
// The work runs in a worker thread with a memory cap (src/cli/entry.ts); this thread only relays its output.
// `--version` answers here, before anything else is loaded.
const argv = process.argv.slice(2);
if (argv[0] === '--version') {
  const { packageVersion } = await import('../dist/src/cli/version.js');
  process.stdout.write(`${packageVersion()}\n`);
} else {
  const { runInWorker } = await import('../dist/src/cli/entry.js');
  process.exitCode = await runInWorker(argv);
}
