/**
 * The command line of DESIGN §5, parsed strictly: an unknown flag, a missing value or a bad number is a usage
 * error (exit 2) that says what was expected.
 */

export const COMMANDS = ['status', 'up', 'down', 'redo', 'verify', 'lint', 'schema', 'diff', 'new'] as const;
export type CommandName = (typeof COMMANDS)[number];

export class UsageError extends Error {}

type FlagKind = 'boolean' | 'string' | 'count' | 'whole' | 'seconds' | 'megabytes';

/** --max-memory-mb: the default, and the least that leaves room for the command itself. */
export const DEFAULT_MAX_MEMORY_MB = 2048;
export const MIN_MAX_MEMORY_MB = 64;

const COMMON: Record<string, FlagKind> = {
  db: 'string',
  dir: 'string',
  json: 'boolean',
  'lock-timeout': 'seconds',
  'connect-timeout': 'seconds',
  'allow-drift': 'boolean',
  'max-instructions': 'count',
  'max-lua-seconds': 'seconds',
  'max-memory-mb': 'megabytes',
  help: 'boolean',
  lock: 'string',
};

/** `--targets FILE` and its companions, for the commands that run on a fleet. */
const FLEET: Record<string, FlagKind> = { targets: 'string', parallel: 'count', 'fail-fast': 'boolean' };

/** The run lock strategies of DESIGN §4. */
export const LOCK_STRATEGIES = ['advisory', 'table'] as const;

const PER_COMMAND: Record<CommandName, Record<string, FlagKind>> = {
  status: { ...FLEET },
  up: {
    step: 'count',
    to: 'string',
    'single-transaction': 'boolean',
    'dry-run': 'boolean',
    retries: 'whole',
    ...FLEET,
  },
  down: { step: 'count', to: 'string', all: 'boolean', retries: 'whole', ...FLEET },
  redo: { step: 'count', retries: 'whole' },
  verify: { engine: 'string' },
  lint: {},
  schema: {},
  diff: {},
  new: {},
};

export interface ParsedArgs {
  command: CommandName;
  flags: Record<string, string | number | boolean>;
  positional: string[];
}

export const USAGE = `Usage: moonwalk <command> [options]

Commands:
  status [--json]                                  applied, pending, modified and missing migrations
  up     [--step N | --to ID] [--single-transaction] [--dry-run] [--json]
  down   [--step N | --to ID | --all] [--json]     revert (one step by default)
  redo   [--step N] [--json]                       revert and apply again
  verify [--engine sqlite|postgres] [--json]       does each pending down undo its up?
  lint   [--json]                                  check migrations against the guide's practices
  schema [--json]                                  the database's schema
  diff   [--json]                                  what the pending migrations would change
  new NAME                                         write a new migration file from a template

Options:
  --db URL               sqlite:PATH, sqlite::memory:, pglite:DIR, pglite::memory:, postgres://…, mysql://…
                         (default: the DATABASE_URL environment variable)
  --dir FOLDER           the migrations folder (default: ./migrations)
  --lock-timeout S       seconds to wait for another run's lock (default 60)
  --connect-timeout S    seconds to wait for a server (default 10)
  --allow-drift          run although applied migrations were modified or are missing
  --max-instructions N   Lua instructions one phase may run (default 200000000)
  --max-lua-seconds S    seconds of Lua time one phase may run (default 20)
  --max-memory-mb N      memory the migrations may take, in MB (default 2048); more stops the run and rolls back
  --json                 print one JSON document on stdout
  --lock advisory|table  the run lock: PostgreSQL's advisory lock, or a lease row in a lock table (for poolers
                         such as PgBouncer in transaction mode); default: table where a pooler is detected
  --retries N            attempts more for a migration that failed with a serialization failure or deadlock
                         (SQLSTATE 40001, 40P01), each from the start of its transaction (default 0)
  --targets FILE         up, down, status on every database URL in FILE (one a line; ?schema=NAME for a tenant)
  --parallel N           with --targets: targets at a time, one connection each (default 4)
  --fail-fast            with --targets: start no target after the first failure

Exit codes: 0 done, 1 a migration failed or verify/lint found a problem, 2 bad usage, files or connection.`;

export function parseArgs(argv: string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return { command: 'status', flags: { help: true }, positional: [] };
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}": use one of ${COMMANDS.join(', ')}`);
  }
  const name = command as CommandName;
  const known = { ...COMMON, ...PER_COMMAND[name] };
  const flags: ParsedArgs['flags'] = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = known[key];
    if (!kind) {
      const hint = Object.keys(known).find((k) => k.startsWith(key) || key.startsWith(k));
      throw new UsageError(`unknown option --${key} for "moonwalk ${name}"${hint ? ` (did you mean --${hint}?)` : ''}`);
    }
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${key} takes no value`);
      flags[key] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${key} needs a value`);
    flags[key] = kind === 'string' ? value : parseNumber(key, value, kind);
  }
  const targets = ['step', 'to', 'all'].filter((k) => k in flags);
  if (targets.length > 1) throw new UsageError(`use only one of ${targets.map((t) => `--${t}`).join(', ')}`);
  if (name === 'new' ? positional.length !== 1 : positional.length > 0) {
    throw new UsageError(
      name === 'new'
        ? 'moonwalk new NAME: give the new migration one name, e.g. moonwalk new add_email_to_users'
        : `unexpected argument "${positional[0]}"`,
    );
  }
  if (name === 'verify' && flags.engine !== undefined && !['sqlite', 'postgres'].includes(String(flags.engine))) {
    throw new UsageError(`--engine must be sqlite or postgres, not "${flags.engine}"`);
  }
  if (flags.lock !== undefined && !(LOCK_STRATEGIES as readonly string[]).includes(String(flags.lock))) {
    throw new UsageError(`--lock must be ${LOCK_STRATEGIES.join(' or ')}, not "${flags.lock}"`);
  }
  for (const companion of ['parallel', 'fail-fast']) {
    if (companion in flags && !('targets' in flags))
      throw new UsageError(`--${companion} goes with --targets FILE (it says how to run a fleet of targets)`);
  }
  if ('targets' in flags && 'db' in flags)
    throw new UsageError('use --db URL for one database or --targets FILE for many, not both');
  return { command: name, flags, positional };
}

function parseNumber(key: string, value: string, kind: FlagKind): number {
  const n = Number(value);
  if (kind === 'count' && (!Number.isInteger(n) || n < 1))
    throw new UsageError(`--${key} needs a whole number of at least 1, not "${value}"`);
  if (kind === 'whole' && (!Number.isInteger(n) || n < 0))
    throw new UsageError(`--${key} needs a whole number (0 or more), not "${value}"`);
  if (kind === 'seconds' && (!Number.isFinite(n) || n < 0))
    throw new UsageError(`--${key} needs a number of seconds, not "${value}"`);
  if (kind === 'megabytes' && (!Number.isInteger(n) || n < MIN_MAX_MEMORY_MB)) {
    throw new UsageError(`--${key} needs a whole number of megabytes, at least ${MIN_MAX_MEMORY_MB}, not "${value}"`);
  }
  return n;
}
