/**
 * The `moonwalk` command as `bin/moonwalk.js` runs it: `main` (src/cli/main.ts) inside a worker thread that can be
 * capped and stopped (DESIGN §2: runaway code and huge allocations are stopped with a clear error and rolled back).
 *
 * This thread only starts the worker, prints what it posts (in order, byte for byte what `main` prints in process)
 * and exits with the code it reports. Memory is capped two ways, both by `--max-memory-mb N` (default 2048):
 * - the worker's JavaScript heap (`resourceLimits`): a run that fills it ends with ERR_WORKER_OUT_OF_MEMORY;
 * - the process's resident memory, polled here: Lua strings live in ArrayBuffers outside that heap, so a migration
 *   that piles up big strings is stopped once the process has grown by more than N MB. The growth is counted from
 *   when the worker has loaded, and again from when the database is open: the engine's own memory (PGlite's is
 *   hundreds of MB) is not the migration's.
 * A worker that is stopped or crashes takes its connections with it, and with them the open transaction: SQLite
 * rolls the file back (better-sqlite3 closes its handles when the worker ends; a hot journal is rolled back by the
 * next open otherwise), PGlite recovers from its WAL on the next open, servers roll back when the connection drops.
 * Locks die the same way. Ctrl-C stops the worker too (exit 130).
 */
import { Worker } from 'node:worker_threads';
import { DEFAULT_MAX_MEMORY_MB, parseArgs } from './args.ts';
import { renderResultLine } from './render.ts';
import { jsonRunResult } from '../core/documents.ts';
import { withEnvFile } from './env-file.ts';
import type { WorkerInput, WorkerMessage } from './worker.ts';
import type { CliEvent } from './main.ts';
import { durationMs, type Direction, type MigrationResult } from '../core/results.ts';

const MB = 1024 * 1024;
/** How often the process's memory is looked at while the worker runs. */
const POLL_MS = 50;
/** After the worker reported its exit code: how long it may take to end by itself before it is terminated. */
const EXIT_GRACE_MS = 2000;
/** After a stop: how long terminating may take (a native call must return first) before the process exits anyway. */
const KILL_GRACE_MS = 3000;

interface Options {
  command: string | undefined;
  json: boolean;
  maxMemoryMb: number;
  /** The database URL, to word the rollback for MySQL (which commits DDL at once). */
  url: string;
}

/** What the wrapper needs from the command line; a bad one is left for the worker to report as `main` does. */
function options(argv: string[]): Options {
  try {
    const { command, flags } = parseArgs(argv);
    const throwaway = command === 'verify' && flags.db === undefined;
    return {
      command,
      json: flags.json === true,
      maxMemoryMb: flags['max-memory-mb'] ?? DEFAULT_MAX_MEMORY_MB,
      url: throwaway ? '' : (flags.db ?? withEnvFile(process.env, flags['env-file']).DATABASE_URL ?? ''),
    };
  } catch {
    return { command: argv[0], json: argv.includes('--json'), maxMemoryMb: DEFAULT_MAX_MEMORY_MB, url: '' };
  }
}

function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

interface Running {
  id: string;
  direction: Direction;
  started: number;
}

const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;
type Signal = keyof typeof SIGNALS;

/**
 * Commands that run no Lua: the worker is there to cap and stop runaway Lua code, so these answer on this thread and
 * save starting a second V8 isolate that loads the command again (status and --help are what deploys and people run
 * most; issue 10's process-start targets).
 */
const NO_LUA = new Set(['status', 'schema', 'lint', 'new']);

function runsNoLua(argv: string[]): boolean {
  try {
    const { command, flags } = parseArgs(argv);
    return flags.help === true || NO_LUA.has(command);
  } catch {
    return false; // the worker reports the bad usage, as main does
  }
}

/** Runs `moonwalk ...argv` (the bin's one call); resolves to the exit code. */
export async function runCommand(argv: string[]): Promise<number> {
  // The MCP server stays up across calls: it runs here and gives each call to a sandbox worker of its own.
  if (argv[0] === 'mcp') return (await import('./mcp/command.ts')).mcpCommand(argv);
  if (runsNoLua(argv)) return (await import('./main.ts')).main(argv);
  return runInWorker(argv);
}

/** Runs `moonwalk ...argv` in a worker; resolves to the exit code. */
export function runInWorker(argv: string[]): Promise<number> {
  const opts = options(argv);
  const limitMb = opts.maxMemoryMb;
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: { argv } satisfies WorkerInput,
    resourceLimits: {
      maxOldGenerationSizeMb: limitMb,
      maxYoungGenerationSizeMb: Math.min(48, Math.max(8, Math.floor(limitMb / 8))),
      stackSizeMb: 4,
    },
  });

  /** The code `main` returned, once it has. */
  let code: number | null = null;
  let stopped: { why: 'memory' } | { why: 'signal'; signal: Signal } | null = null;
  let crash: unknown = null;
  /** Resident memory the growth is counted from; null while nothing is counted (loading, opening the database). */
  let baseline: number | null = null;
  /** Whether the worker has loaded, and whether it has opened the database. */
  let ready = false;
  let opened = false;
  const done: MigrationResult[] = [];
  const running: Running[] = [];

  const track = (event: CliEvent) => {
    if (event.type === 'connecting') baseline = null;
    else if (event.type === 'connected') {
      opened = true;
      baseline = process.memoryUsage.rss();
    } else if (event.type === 'start')
      running.push({ id: event.id, direction: event.direction, started: performance.now() });
    else if (event.type === 'done') {
      done.push(event.result);
      const i = running.findIndex((r) => r.id === event.result.id && r.direction === event.result.direction);
      if (i >= 0) running.splice(i, 1);
    }
  };

  const stop = (why: NonNullable<typeof stopped>) => {
    if (stopped || code !== null) return;
    stopped = why;
    void worker.terminate();
    // terminate() waits for JavaScript to be interruptible; a long native call (one huge SQL statement) is not.
    setTimeout(() => {
      process.exitCode = report();
      process.exit();
    }, KILL_GRACE_MS).unref();
  };

  const watch = setInterval(() => {
    if (baseline !== null && process.memoryUsage.rss() - baseline > limitMb * MB) stop({ why: 'memory' });
  }, POLL_MS);
  watch.unref();

  const onSignal = (signal: Signal) => {
    if (stopped?.why === 'signal') process.exit(SIGNALS[signal]); // a second Ctrl-C: do not wait any longer
    stop({ why: 'signal', signal });
  };
  for (const signal of Object.keys(SIGNALS) as Signal[]) process.on(signal, onSignal);

  worker.on('message', (message: WorkerMessage) => {
    switch (message.t) {
      case 'ready':
        ready = true;
        baseline = process.memoryUsage.rss();
        break;
      case 'out':
        write(process.stdout, message.text);
        break;
      case 'err':
        write(process.stderr, message.text);
        break;
      case 'event':
        track(message.event);
        break;
      case 'exit':
        code = message.code;
        baseline = null;
        // Everything main opened is closed by now; a handle left behind must not keep the command from ending.
        setTimeout(() => void worker.terminate(), EXIT_GRACE_MS).unref();
        break;
    }
  });
  worker.on('error', (error) => {
    crash ??= error;
  });

  /** Prints why the worker ended without an exit code of its own; the exit code. */
  let reported: number | null = null;
  const report = (): number => {
    if (reported !== null) return reported;
    if (code !== null) return (reported = code);
    const now = performance.now();
    const current = running.at(-1);
    // The migration that was running failed; in a single transaction, those before it in the batch were undone too.
    const unfinished: MigrationResult[] = running.map((r, i) => ({
      id: r.id,
      direction: r.direction,
      status: i === running.length - 1 ? 'failed' : 'rolled_back',
      duration_ms: durationMs((running[i + 1]?.started ?? now) - r.started),
    }));
    const mysql = /^(mysql|mariadb):/i.test(opts.url);
    const rolledBack = !opened
      ? 'nothing was written to the database'
      : mysql
        ? 'its transaction was rolled back, but MySQL commits CREATE, ALTER and DROP statements at once: any it ran stay ' +
          'applied (check the schema before running it again)'
        : 'its transaction was rolled back: nothing it did was committed';
    let message: string;
    let exit: number = 1;
    if (stopped?.why === 'signal') {
      exit = SIGNALS[stopped.signal];
      message = `interrupted (${stopped.signal}): ${current ? `migration ${current.id} was stopped` : 'the run was stopped'}; ${rolledBack}.`;
    } else if (stopped?.why === 'memory' || (crash as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      message =
        `${current ? `migration ${current.id}` : 'the migration'} used more than ${limitMb} MB of memory and was ` +
        `stopped; ${rolledBack}. Raise --max-memory-mb if it really needs more.`;
    } else {
      const detail =
        crash instanceof Error
          ? crash.message
          : typeof crash === 'string' || typeof crash === 'number'
            ? String(crash)
            : 'the worker thread ended without a result';
      message = !ready
        ? `moonwalk could not start its worker thread (${detail}); nothing was written to the database.`
        : `moonwalk stopped unexpectedly${current ? ` while running migration ${current.id}` : ''} (${detail}); ${rolledBack}.`;
    }
    const isRun = opts.command === 'up' || opts.command === 'down' || opts.command === 'redo';
    if (opts.json) {
      const results = isRun ? [...done, ...unfinished] : [];
      write(
        process.stdout,
        JSON.stringify(
          jsonRunResult({
            ok: false,
            results,
            error: { code: 'internal', migration: current?.id ?? null, phase: 'internal', message },
          }),
        ),
      );
    } else if (isRun) {
      for (const result of unfinished) write(process.stdout, renderResultLine(result));
    }
    write(process.stderr, `Error: ${message}`);
    return (reported = exit);
  };

  return new Promise((resolve) => {
    worker.on('exit', () => {
      clearInterval(watch);
      for (const signal of Object.keys(SIGNALS) as Signal[]) process.off(signal, onSignal);
      resolve(report());
    });
  });
}
