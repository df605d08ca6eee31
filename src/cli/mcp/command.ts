/**
 * `moonwalk mcp …` from its command line to a running server. Only `--db` names a database: the server never takes
 * DATABASE_URL (or a .env file) on its own, so that it touches nothing real unless told to on its command line.
 */
import { DEFAULT_MAX_MEMORY_MB, parseArgs, USAGE } from '../args.ts';
import { DEFAULT_LIMITS } from '../../core/lua/limits.ts';
import { runMcp } from './server.ts';

export async function mcpCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    process.stderr.write(
      `Error: ${error instanceof Error ? error.message : String(error)}\nRun moonwalk --help for usage.\n`,
    );
    return 2;
  }
  if (args.command !== 'mcp') return 2;
  const { flags } = args;
  if (flags.help) {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  if (args.positional.length > 0) {
    process.stderr.write(`Error: unexpected argument "${args.positional[0]}"\nRun moonwalk --help for usage.\n`);
    return 2;
  }
  return runMcp({
    maxMemoryMb: flags['max-memory-mb'] ?? DEFAULT_MAX_MEMORY_MB,
    config: {
      ...(flags.db !== undefined ? { db: flags.db } : {}),
      ...(flags.dir !== undefined ? { dir: flags.dir } : {}),
      allowWrite: flags['allow-write'] === true,
      limits: {
        instructions: flags['max-instructions'] ?? DEFAULT_LIMITS.instructions,
        luaTimeMs: (flags['max-lua-seconds'] ?? DEFAULT_LIMITS.luaTimeMs / 1000) * 1000,
      },
      lockTimeoutMs: (flags['lock-timeout'] ?? 60) * 1000,
      connectTimeoutMs: (flags['connect-timeout'] ?? 10) * 1000,
    },
  });
}
