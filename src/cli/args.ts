/**
 * The command line of DESIGN §5, parsed strictly: an unknown flag, a missing value or a bad number is a usage
 * error (exit 2) that says what was expected.
 *
 * Each flag is defined once, in FLAGS: its kind, the commands that take it (all when `commands` is left out) and,
 * for a flag with a fixed set of values, those values. The type of each command's parsed flags is derived from that
 * table, so adding a flag is one line there (and its line in USAGE).
 */

export const COMMANDS = [
  'status',
  'up',
  'down',
  'redo',
  'verify',
  'lint',
  'schema',
  'diff',
  'new',
  'mcp',
  'trace',
  'play',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export class UsageError extends Error {}

/**
 * How a flag's value is read: `count` a whole number ≥ 1, `whole` a whole number ≥ 0, `seconds` a number ≥ 0,
 * `megabytes` a whole number of MB, `port` a TCP port (0 to 65535; 0 picks a free one).
 */
type FlagKind = 'boolean' | 'string' | 'count' | 'whole' | 'seconds' | 'megabytes' | 'port';

interface FlagSpec {
  kind: FlagKind;
  /** The commands that take this flag; every command when left out. */
  commands?: readonly CommandName[];
  /** The only values a `string` flag accepts. */
  choices?: readonly string[];
}

/** --max-memory-mb: the default, and the least that leaves room for the command itself. */
export const DEFAULT_MAX_MEMORY_MB = 2048;
export const MIN_MAX_MEMORY_MB = 64;

/** The run lock strategies of DESIGN §4. */
export const LOCK_STRATEGIES = ['advisory', 'table'] as const;

/** The commands that run on a fleet: `--targets FILE` and its companions. */
export const FLEET_COMMANDS = ['status', 'up', 'down'] as const;

/** Every flag of every command. The order is the order "did you mean" suggestions are looked for in. */
const FLAGS = {
  db: { kind: 'string' },
  dir: { kind: 'string' },
  json: { kind: 'boolean' },
  'lock-timeout': { kind: 'seconds' },
  'connect-timeout': { kind: 'seconds' },
  'allow-drift': { kind: 'boolean' },
  'max-instructions': { kind: 'count' },
  'max-lua-seconds': { kind: 'seconds' },
  'max-memory-mb': { kind: 'megabytes' },
  help: { kind: 'boolean' },
  lock: { kind: 'string', choices: LOCK_STRATEGIES },
  step: { kind: 'count', commands: ['up', 'down', 'redo'] },
  to: { kind: 'string', commands: ['up', 'down'] },
  'single-transaction': { kind: 'boolean', commands: ['up'] },
  'dry-run': { kind: 'boolean', commands: ['up'] },
  all: { kind: 'boolean', commands: ['down'] },
  engine: { kind: 'string', commands: ['verify'], choices: ['sqlite', 'postgres'] },
  retries: { kind: 'whole', commands: ['up', 'down', 'redo'] },
  targets: { kind: 'string', commands: FLEET_COMMANDS },
  parallel: { kind: 'count', commands: FLEET_COMMANDS },
  'fail-fast': { kind: 'boolean', commands: FLEET_COMMANDS },
  'env-file': { kind: 'string' },
  'exit-code': { kind: 'boolean', commands: ['status'] },
  format: { kind: 'string', commands: ['lint', 'verify', 'up', 'down'], choices: ['github'] },
  'allow-write': { kind: 'boolean', commands: ['mcp'] },
  allow: { kind: 'string', commands: ['trace'] },
  from: { kind: 'string', commands: ['play'] },
  port: { kind: 'port', commands: ['play'] },
} as const satisfies Record<string, FlagSpec>;

type FlagName = keyof typeof FLAGS;

/** The value a flag's spec parses to: `true` for a boolean, one of its choices, a string or a number. */
type FlagValue<S extends FlagSpec> = S['kind'] extends 'boolean'
  ? true
  : S extends { choices: readonly (infer V)[] }
    ? V
    : S['kind'] extends 'string'
      ? string
      : number;

type TakesFlag<S extends FlagSpec, C extends CommandName> = S extends { commands: readonly (infer Cs)[] }
  ? C extends Cs
    ? true
    : false
  : true;

/** The flags command C was given: each one it takes, present only when given. */
export type FlagsOf<C extends CommandName> = {
  -readonly [F in FlagName as TakesFlag<(typeof FLAGS)[F], C> extends true ? F : never]?: FlagValue<(typeof FLAGS)[F]>;
};

/** The command line of one of the commands C. */
export type ArgsOf<C extends CommandName> = { [K in C]: { command: K; flags: FlagsOf<K>; positional: string[] } }[C];

/** One command line, parsed: narrowing on `command` gives that command's flags. */
export type ParsedArgs = ArgsOf<CommandName>;

function flagsOf(command: CommandName): FlagName[] {
  return (Object.keys(FLAGS) as FlagName[]).filter((name) => {
    const spec: FlagSpec = FLAGS[name];
    return !spec.commands || spec.commands.includes(command);
  });
}

export const USAGE = `Usage: moonwalk <command> [options]

Commands:
  status [--exit-code] [--json]                    applied, pending, modified and missing migrations
  up     [--step N | --to ID] [--single-transaction] [--dry-run] [--json]
  down   [--step N | --to ID | --all] [--json]     revert (one step by default)
  redo   [--step N] [--json]                       revert and apply again
  verify [--engine sqlite|postgres] [--json]       does each pending down undo its up?
  lint   [--json]                                  check migrations against the guide's practices
  schema [--json]                                  the database's schema
  diff   [--json]                                  what the pending migrations would change
  new NAME                                         write a new migration file from a template
  mcp    [--db URL] [--allow-write]                Model Context Protocol server on stdio (docs/agents.md)
  trace  [--allow CODE,…] [--json]                 locks and rewrites per statement, on a throwaway PGlite
                                                   (from empty, or a copy of --db pglite:DIR)
  play   [--from URL] [--port N]                   the playground on 127.0.0.1 over --dir; Save writes the edits
                                                   back; --from: a copy of that database as the starting one

Options:
  --db URL               sqlite:PATH, sqlite::memory:, pglite:DIR, pglite::memory:, postgres://…, mysql://…
                         (default: DATABASE_URL, from the environment or the --env-file)
  --dir FOLDER           the migrations folder (default: MOONWALK_DIR, or ./migrations)
  --env-file PATH        read DATABASE_URL and MOONWALK_DIR from PATH when the environment does not set them
                         (default: ./.env when there is one)
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
  --exit-code            status: exit 1 when anything is pending, modified or missing
  --format github        lint, verify, up, down: also print failures and findings as GitHub Actions annotations
                         (beside the human lines; on stderr with --json, which keeps stdout to its document)
  --version              print moonwalk's version
  --allow-write          mcp: let tools write to the --db database (apply, verify); without it they are refused
  --from URL             play: the starting database, copied (sqlite:PATH as its bytes; postgres://, mysql://,
                         pglite:DIR read through the drivers, at most 10,000 rows a table); never written to
  --port N               play: the port to listen on, on 127.0.0.1 only (default: a free one)

Exit codes: 0 done, 1 a migration failed or verify/lint found a problem, 2 bad usage, files or connection.`;

export function parseArgs(argv: string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return { command: 'status', flags: { help: true }, positional: [] };
  }
  const name = COMMANDS.find((c) => c === command);
  if (!name) throw new UsageError(`unknown command "${command}": use one of ${COMMANDS.join(', ')}`);
  const known = flagsOf(name);
  const flags: Partial<Record<FlagName, string | number | true>> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq < 0 ? undefined : eq);
    const flag = known.find((k) => k === key);
    if (!flag) {
      const hint = known.find((k) => k.startsWith(key) || key.startsWith(k));
      throw new UsageError(`unknown option --${key} for "moonwalk ${name}"${hint ? ` (did you mean --${hint}?)` : ''}`);
    }
    const { kind } = FLAGS[flag];
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${key} takes no value`);
      flags[flag] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${key} needs a value`);
    flags[flag] = kind === 'string' ? value : parseNumber(key, value, kind);
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
  for (const flag of known) {
    const spec: FlagSpec = FLAGS[flag];
    const value = flags[flag];
    if (spec.choices && value !== undefined && !spec.choices.includes(String(value))) {
      throw new UsageError(`--${flag} must be ${orList(spec.choices)}, not "${value}"`);
    }
  }
  for (const companion of ['parallel', 'fail-fast']) {
    if (companion in flags && !('targets' in flags))
      throw new UsageError(`--${companion} goes with --targets FILE (it says how to run a fleet of targets)`);
  }
  if ('targets' in flags && 'db' in flags)
    throw new UsageError('use --db URL for one database or --targets FILE for many, not both');
  // The table above is what FlagsOf is derived from, and each value was read by its flag's kind: the parsed flags
  // are those of the command named.
  return { command: name, flags, positional } as ParsedArgs;
}

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

const MIN_MAX_INSTRUCTIONS = 1000;

function parseNumber(key: string, value: string, kind: FlagKind): number {
  const n = Number(value);
  if (kind === 'count' && (!Number.isInteger(n) || n < 1))
    throw new UsageError(`--${key} needs a whole number of at least 1, not "${value}"`);
  // The Lua host counts the budget in steps of 1,000 instructions (its HOOK_INTERVAL): less could not be honoured.
  if (key === 'max-instructions' && n < MIN_MAX_INSTRUCTIONS) {
    throw new UsageError(
      `--max-instructions needs at least 1,000, not "${value}": the budget is counted in steps of 1,000 instructions`,
    );
  }
  if (kind === 'whole' && (!Number.isInteger(n) || n < 0))
    throw new UsageError(`--${key} needs a whole number (0 or more), not "${value}"`);
  if (kind === 'seconds' && (!Number.isFinite(n) || n < 0))
    throw new UsageError(`--${key} needs a number of seconds, not "${value}"`);
  if (kind === 'port' && (!Number.isInteger(n) || n < 0 || n > 65535))
    throw new UsageError(`--${key} needs a port number from 1 to 65535 (or 0 for a free one), not "${value}"`);
  if (kind === 'megabytes' && (!Number.isInteger(n) || n < MIN_MAX_MEMORY_MB)) {
    throw new UsageError(`--${key} needs a whole number of megabytes, at least ${MIN_MAX_MEMORY_MB}, not "${value}"`);
  }
  return n;
}
