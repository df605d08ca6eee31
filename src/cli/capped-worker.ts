/**
 * A `moonwalk` command run in a worker thread that can be capped and stopped (DESIGN §2: runaway code and huge
 * allocations are stopped with a clear error and rolled back). The worker (src/cli/capped-worker-thread.ts) runs
 * `runCommand`; this thread starts it, prints what it posts (in order, byte for byte what `runCommand` prints in
 * process) and exits with the code it reports.
 *
 * Memory is capped two ways, both by `--max-memory-mb N` (default 2048):
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
import { jsonRunResult, statusDocument } from '../core/documents.ts';
import { withEnvFile } from './env-file.ts';
import type { FilesMessage, WorkerInput, WorkerMessage } from './capped-worker-thread.ts';
import { readMigrationFiles } from '../lib/migrations-dir.ts';
import { StartLog, type LoggedStart } from './start-log.ts';
import { urlEngine } from './url-engine.ts';
import type { MigrationFile } from '../core/migration-files.ts';
import type { CliEvent } from './command.ts';
import { durationMs, type Direction, type MigrationResult } from '../core/results.ts';

const MB = 1024 * 1024;
/** How often the process's memory is looked at while the worker runs. */
const POLL_MS = 50;
/** After the worker reported its exit code: how long it may take to end by itself before it is terminated. */
const EXIT_GRACE_MS = 2000;
/** After a stop: how long terminating may take (a native call must return first) before the process exits anyway. */
const KILL_GRACE_MS = 3000;

const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;
type Signal = keyof typeof SIGNALS;

type StopReason = { why: 'memory' } | { why: 'signal'; signal: Signal };

/** What this thread needs from the command line; a bad one is left for the worker to report as `runCommand` does. */
interface Options {
  command: string | undefined;
  json: boolean;
  maxMemoryMb: number;
  /** The database URL, to word the rollback for MySQL (which commits DDL at once). */
  url: string;
  /** The migrations folder, read on this thread while the worker starts; null when the worker reads it itself. */
  dir: string | null;
}

function readOptions(argv: string[]): Options {
  try {
    const { command, flags } = parseArgs(argv);
    const throwaway = command === 'verify' && flags.db === undefined;
    const env = withEnvFile(process.env, flags['env-file']);
    return {
      command,
      json: flags.json === true,
      maxMemoryMb: flags['max-memory-mb'] ?? DEFAULT_MAX_MEMORY_MB,
      url: throwaway ? '' : (flags.db ?? env.DATABASE_URL ?? ''),
      dir: flags.help ? null : (flags.dir ?? env.MOONWALK_DIR ?? 'migrations'),
    };
  } catch {
    return { command: argv[0], json: argv.includes('--json'), maxMemoryMb: DEFAULT_MAX_MEMORY_MB, url: '', dir: null };
  }
}

function readQuietly(dir: string): MigrationFile[] | null {
  try {
    return readMigrationFiles(dir);
  } catch {
    return null;
  }
}

function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A migration the worker has started and not yet reported done. */
interface Running {
  id: string;
  direction: Direction;
  started: number;
}

/** Runs `moonwalk ...argv` in a capped worker; resolves to the exit code. */
export function runInCappedWorker(argv: string[]): Promise<number> {
  return new CappedWorkerRun(argv).finished;
}

/** One command in one worker: started by the constructor, `finished` resolves to its exit code. */
class CappedWorkerRun {
  readonly finished: Promise<number>;
  private readonly options: Options;
  private readonly worker: Worker;
  private readonly memoryWatch: NodeJS.Timeout;
  private readonly startLog = StartLog.create();

  /** The exit code the command returned, once it has. */
  private code: number | null = null;
  private stopped: StopReason | null = null;
  private crash: unknown = null;
  /** Resident memory the growth is counted from; null while nothing is counted (loading, opening the database). */
  private baseline: number | null = null;
  /** Whether the worker has loaded, and whether it has opened the database. */
  private loaded = false;
  private opened = false;
  private readonly done: MigrationResult[] = [];
  private readonly running: Running[] = [];
  /** The exit code once decided (and the failure printed, if any): decided once. */
  private exitCode: number | null = null;

  constructor(argv: string[]) {
    this.options = readOptions(argv);
    const limitMb = this.options.maxMemoryMb;
    const dir = this.options.dir;
    this.worker = new Worker(new URL('./capped-worker-thread.js', import.meta.url), {
      workerData: { argv, filesFollow: dir !== null, startLog: this.startLog.buffer } satisfies WorkerInput,
      resourceLimits: {
        maxOldGenerationSizeMb: limitMb,
        maxYoungGenerationSizeMb: Math.min(48, Math.max(8, Math.floor(limitMb / 8))),
        stackSizeMb: 4,
      },
    });
    // The files are read and hashed here while the worker thread starts and loads (the two overlap); the worker
    // reads the folder itself when this fails, and reports the failure as it would have.
    if (dir !== null) this.worker.postMessage({ dir, files: readQuietly(dir) } satisfies FilesMessage);
    this.memoryWatch = setInterval(() => this.checkMemory(), POLL_MS);
    this.memoryWatch.unref();
    for (const signal of Object.keys(SIGNALS) as Signal[]) process.on(signal, this.onSignal);
    this.worker.on('message', (messages: WorkerMessage[]) => {
      for (const message of messages) this.receive(message);
    });
    this.worker.on('error', (error) => {
      this.crash ??= error;
    });
    this.finished = new Promise((resolve) => {
      this.worker.on('exit', () => {
        clearInterval(this.memoryWatch);
        for (const signal of Object.keys(SIGNALS) as Signal[]) process.off(signal, this.onSignal);
        resolve(this.decideExitCode());
      });
    });
  }

  /** What the worker posts: output is printed as it comes, events are tracked, `exit` carries the code. */
  private receive(message: WorkerMessage): void {
    switch (message.t) {
      case 'ready':
        this.loaded = true;
        this.baseline = process.memoryUsage.rss();
        break;
      case 'out':
        write(process.stdout, message.text);
        break;
      case 'err':
        write(process.stderr, message.text);
        break;
      case 'event':
        this.track(message.event);
        break;
      case 'exit':
        this.code = message.code;
        this.baseline = null;
        // Everything the command opened is closed by now; a handle left behind must not keep the command from ending.
        setTimeout(() => void this.worker.terminate(), EXIT_GRACE_MS).unref();
        break;
    }
  }

  /** Keeps what a failure report needs: whether the database is open, what finished, what is running. */
  private track(event: CliEvent, started = performance.now()): void {
    if (event.type === 'connecting') this.baseline = null;
    else if (event.type === 'connected') {
      this.opened = true;
      this.baseline = process.memoryUsage.rss();
    } else if (event.type === 'start') {
      this.running.push({ id: event.id, direction: event.direction, started });
    } else if (event.type === 'done') {
      this.done.push(event.result);
      const i = this.running.findIndex((r) => r.id === event.result.id && r.direction === event.result.direction);
      if (i >= 0) this.running.splice(i, 1);
    }
  }

  private checkMemory(): void {
    const limitMb = this.options.maxMemoryMb;
    if (this.baseline !== null && process.memoryUsage.rss() - this.baseline > limitMb * MB)
      this.stop({ why: 'memory' });
  }

  private readonly onSignal = (signal: Signal): void => {
    if (this.stopped?.why === 'signal') process.exit(SIGNALS[signal]); // a second Ctrl-C: do not wait any longer
    this.stop({ why: 'signal', signal });
  };

  private stop(reason: StopReason): void {
    if (this.stopped || this.code !== null) return;
    this.stopped = reason;
    void this.worker.terminate();
    // terminate() waits for JavaScript to be interruptible; a long native call (one huge SQL statement) is not.
    setTimeout(() => {
      process.exitCode = this.decideExitCode();
      process.exit();
    }, KILL_GRACE_MS).unref();
  }

  /** The command's own code, or, when the worker ended without one, the failure printed and its code. */
  private decideExitCode(): number {
    if (this.exitCode !== null) return this.exitCode;
    if (this.code !== null) return (this.exitCode = this.code);
    this.trackUnposted();
    const { message, exit } = this.failure();
    this.printFailure(message);
    return (this.exitCode = exit);
  }

  /** The starts the worker logged and had not posted when it ended, tracked as if they had come. */
  private trackUnposted(): void {
    const seen = (r: { id: string; direction: Direction }, s: LoggedStart) =>
      r.id === s.id && r.direction === s.direction;
    for (const start of this.startLog.read()) {
      if (this.running.some((r) => seen(r, start)) || this.done.some((r) => seen(r, start))) continue;
      this.track({ type: 'start', id: start.id, direction: start.direction }, start.at - performance.timeOrigin);
    }
  }

  /** Why the worker ended without an exit code of its own, and the exit code that says so. */
  private failure(): { message: string; exit: number } {
    const current = this.running.at(-1);
    const rolledBack = this.rollbackWording();
    if (this.stopped?.why === 'signal') {
      const what = current ? `migration ${current.id} was stopped` : 'the run was stopped';
      return {
        exit: SIGNALS[this.stopped.signal],
        message: `interrupted (${this.stopped.signal}): ${what}; ${rolledBack}.`,
      };
    }
    const outOfMemory = (this.crash as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    if ((this.stopped?.why === 'memory' || outOfMemory) && this.options.command === 'status') {
      // status runs a file's code only for a description that is not a string literal (src/core/lua/literal-description.ts).
      return {
        exit: 1,
        message:
          `reading the description of a pending migration, whose code builds it, used more than ` +
          `${this.options.maxMemoryMb} MB of memory and was stopped; nothing was written to the database. Write its ` +
          'description as a string literal, migration("…", function() … end), or raise --max-memory-mb.',
      };
    }
    if (this.stopped?.why === 'memory' || outOfMemory) {
      return {
        exit: 1,
        message:
          `${current ? `migration ${current.id}` : 'the migration'} used more than ${this.options.maxMemoryMb} MB ` +
          `of memory and was stopped; ${rolledBack}. Raise --max-memory-mb if it really needs more.`,
      };
    }
    const crash = this.crash;
    const detail =
      crash instanceof Error
        ? crash.message
        : typeof crash === 'string' || typeof crash === 'number'
          ? String(crash)
          : 'the worker thread ended without a result';
    return {
      exit: 1,
      message: !this.loaded
        ? `moonwalk could not start its worker thread (${detail}); nothing was written to the database.`
        : `moonwalk stopped unexpectedly${current ? ` while running migration ${current.id}` : ''} (${detail}); ` +
          `${rolledBack}.`,
    };
  }

  private rollbackWording(): string {
    if (!this.opened) return 'nothing was written to the database';
    if (urlEngine(this.options.url) === 'mysql') {
      return (
        'its transaction was rolled back, but MySQL commits CREATE, ALTER and DROP statements at once: any it ran ' +
        'stay applied (check the schema before running it again)'
      );
    }
    return 'its transaction was rolled back: nothing it did was committed';
  }

  /** The migrations that were running: the last one failed; in a single transaction, those before it were undone. */
  private unfinished(): MigrationResult[] {
    const now = performance.now();
    return this.running.map((r, i) => ({
      id: r.id,
      direction: r.direction,
      status: i === this.running.length - 1 ? 'failed' : 'rolled_back',
      duration_ms: durationMs((this.running[i + 1]?.started ?? now) - r.started),
    }));
  }

  /** The failure as the command prints one: its result lines (or one JSON document), then the error. */
  private printFailure(message: string): void {
    const { command, json } = this.options;
    const isRun = command === 'up' || command === 'down' || command === 'redo';
    if (json && command === 'status') {
      const error = { code: 'internal', migration: null, phase: 'load', message } as const;
      write(
        process.stdout,
        JSON.stringify(statusDocument({ ok: false, engine: urlEngine(this.options.url), migrations: [], error })),
      );
    } else if (json) {
      const results = isRun ? [...this.done, ...this.unfinished()] : [];
      const migration = this.running.at(-1)?.id ?? null;
      const error = { code: 'internal', migration, phase: 'internal', message } as const;
      write(process.stdout, JSON.stringify(jsonRunResult({ ok: false, results, error })));
    } else if (isRun) {
      for (const result of this.unfinished()) write(process.stdout, renderResultLine(result));
    }
    write(process.stderr, `Error: ${message}`);
  }
}
