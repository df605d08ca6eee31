#!/usr/bin/env node
// The `moonwalk` command. The TypeScript is compiled to dist/ by `npm install` (postinstall) and `npm test`.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
