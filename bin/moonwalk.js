#!/usr/bin/env node
// The `moonwalk` command: lib/ is built by `npm run build:package` (run by `npm install` in a clone, `npm pack`, and
// `npm test`); the package ships it built. src/cli/launch.ts picks the thread a
// command runs on: what runs Lua runs in a worker thread with a memory cap (src/cli/capped-worker.ts).
// `--version` answers here, before anything else is loaded; `lint` runs from one bundled file (src/cli/lint-main.ts).
// A reader that stops early (`moonwalk status | head -1`) closes the pipe: what is left to print is dropped, and the
// command still finishes its work (a migration is never cut short by it) and exits with its own code, without a
// stack trace from Node.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e?.code !== 'EPIPE' && e?.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}
const argv = process.argv.slice(2);
if (argv[0] === '--version') {
  const { packageVersion } = await import('../lib/version.js');
  process.stdout.write(`${packageVersion()}\n`);
} else if (argv[0] === 'lint') {
  const { lintMain } = await import('../lib/lint.js');
  process.exitCode = lintMain(argv);
} else {
  const { launchCommand } = await import('../lib/launch.js');
  process.exitCode = await launchCommand(argv);
}
