#!/usr/bin/env node
// The `moonwalk` command. The TypeScript is compiled to dist/ by `npm install` (postinstall) and `npm test`.
// The work runs in a worker thread with a memory cap (src/cli/entry.ts); this thread only relays its output.
import { runInWorker } from '../dist/src/cli/entry.js';

process.exitCode = await runInWorker(process.argv.slice(2));
