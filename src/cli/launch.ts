/**
 * Where a `moonwalk` command runs (`bin/moonwalk.js` → here → `runCommand` in src/cli/command.ts):
 * - `moonwalk mcp`: the MCP server, which stays up across calls and gives each call a sandbox worker of its own;
 * - `moonwalk play`: the playground's server, up until Ctrl-C; it runs no Lua (the page does, in the browser);
 * - commands that run no Lua (status, schema, lint, new, --help): on this thread, as `runCommand` in process; a
 *   `status` whose pending file has a description only its code can tell goes to the worker (RunOptions.uncapped);
 * - `up` on a SQLite file with every migration applied: on this thread too (RunOptions.withoutLua); one whose
 *   ledger lacks a migration of the folder goes to the worker at once (src/cli/pending-at-start.ts);
 * - everything else: in a worker thread whose memory is capped and that Ctrl-C stops (src/cli/capped-worker.ts).
 */
import { parseArgs } from './args.ts';

/**
 * The worker is there to cap and stop runaway Lua code, so commands that run none answer on this thread and save
 * starting a second V8 isolate that loads the command again (status and --help are what deploys and people run most;
 * issue 10's process-start targets).
 */
const NO_LUA = new Set(['status', 'schema', 'lint', 'new']);

function runsNoLua(argv: string[]): boolean {
  try {
    const { command, flags } = parseArgs(argv);
    return flags.help === true || NO_LUA.has(command);
  } catch {
    return false; // the worker reports the bad usage, as runCommand does
  }
}

function isUp(argv: string[]): boolean {
  try {
    return parseArgs(argv).command === 'up';
  } catch {
    return false;
  }
}

/** Runs `moonwalk ...argv` (the bin's one call); resolves to the exit code. */
export async function launchCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'mcp') return (await import('./mcp/command.ts')).mcpCommand(argv);
  if (argv[0] === 'play') return (await import('./play/command.ts')).playCommand(argv);
  if (runsNoLua(argv)) {
    // status shows pending files' descriptions from their text; one that only its code can tell goes to the worker.
    const { runCommand, NEEDS_LUA } = await import('./command.ts');
    const code = await runCommand(argv, undefined, { uncapped: true });
    if (code !== NEEDS_LUA) return code;
    return (await import('./capped-worker.ts')).runInCappedWorker(argv);
  }
  if (isUp(argv)) {
    // Pending migrations on a SQLite file: the worker starts before this thread loads the command (it would only
    // find that it needs Lua).
    const look = await (await import('./pending-at-start.ts')).firstLook(argv);
    if (look === 'pending') return (await import('./capped-worker.ts')).runInCappedWorker(argv);
    const { runCommand, NEEDS_LUA } = await import('./command.ts');
    const code = await runCommand(argv, undefined, { withoutLua: true, nothingPending: look === 'none' });
    if (code !== NEEDS_LUA) return code;
  }
  return (await import('./capped-worker.ts')).runInCappedWorker(argv);
}
