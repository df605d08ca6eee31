/**
 * The floor under `moonwalk lint` as a whole process: node starting, reading the folder and parsing every Lua file
 * with the linter's own parse call (src/core/lint/lua.ts: luaparse, the options lint uses), and nothing else: no
 * DSL walk, no SQL, no rules, no output. Any linter of Lua migration files written for Node pays at least this.
 *
 *   node dist/bench/luaparse-floor-process.js FOLDER   → prints how many files it parsed
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLua } from '../src/core/lint/lua.ts';

const [folder] = process.argv.slice(2);
if (!folder) throw new Error('usage: luaparse-floor-process FOLDER');
let parsed = 0;
for (const name of readdirSync(folder).filter((n) => n.endsWith('.lua'))) {
  if (parseLua(readFileSync(join(folder, name), 'utf8')).ok) parsed++;
}
console.log(parsed);
