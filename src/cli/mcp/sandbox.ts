/**
 * The main thread's side of `moonwalk mcp`'s sandbox: one worker thread (./sandbox-worker.ts) does every call, one
 * call at a time, and keeps PGlite warm between calls. The limits of the command apply to each call:
 * - instructions and Lua seconds inside the worker (the Lua host stops the phase; the call answers with that error
 *   and the worker goes on);
 * - memory here, as `moonwalk` does it (src/cli/capped-worker.ts): the worker's heap is capped, and the process's resident
 *   memory is watched while a call runs, counted from when the call started. A call that goes over, or whose
 *   worker crashes, or that the client cancels, ends the worker: its databases (and their open transaction) go with
 *   it, the call answers with an error naming the migration, and the next call starts a new worker.
 */
import { Worker } from 'node:worker_threads';
import type { ToolInput, ToolName } from './contract.ts';
import type { SandboxCall, SandboxMessage } from './sandbox-worker.ts';
import type { ServerConfig, ToolAnswer } from './tools.ts';

const MB = 1024 * 1024;
/** How often the process's memory is looked at while a call runs. */
const POLL_MS = 50;

interface Running {
  id: number;
  migration: string | null;
  settle(answer: ToolAnswer): void;
}

export class Sandbox {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private running: Running | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  constructor(
    private readonly config: ServerConfig,
    private readonly maxMemoryMb: number,
  ) {}

  /** Runs one tool call after those before it; never rejects. */
  call(tool: ToolName, input: ToolInput, signal?: AbortSignal): Promise<ToolAnswer> {
    const answer = this.queue.then(() => this.run(tool, input, signal));
    this.queue = answer;
    return answer;
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }

  private start(): Promise<void> {
    const limitMb = this.maxMemoryMb;
    const worker = new Worker(new URL('./sandbox-worker.js', import.meta.url), {
      workerData: this.config,
      // stdout is the protocol's: whatever the worker prints (an engine's notice) goes to stderr.
      stdout: true,
      stderr: true,
      resourceLimits: {
        maxOldGenerationSizeMb: limitMb,
        maxYoungGenerationSizeMb: Math.min(48, Math.max(8, Math.floor(limitMb / 8))),
        stackSizeMb: 4,
      },
    });
    worker.stdout.pipe(process.stderr, { end: false });
    worker.stderr.pipe(process.stderr, { end: false });
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (message: SandboxMessage) => {
        if (message.t === 'ready') resolve();
        else if (this.running?.id === message.id) {
          if (message.t === 'running') this.running.migration = message.migration;
          else this.running.settle(message.answer);
        }
      });
      worker.on('error', (error) => {
        reject(error);
        const outOfMemory = (error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        this.end(worker, this.stoppedAnswer(outOfMemory ? 'memory' : 'crash', error));
      });
      worker.on('exit', () => {
        reject(new Error('the sandbox worker ended while starting'));
        this.end(worker, this.stoppedAnswer('crash', null));
      });
    });
    return this.ready;
  }

  /** Forgets a worker that ended; the call it was running (if any) gets `answer`. */
  private end(worker: Worker, answer: ToolAnswer): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.ready = null;
    this.running?.settle(answer);
  }

  private async run(tool: ToolName, input: ToolInput, signal?: AbortSignal): Promise<ToolAnswer> {
    if (signal?.aborted) return this.stoppedAnswer('cancelled', null);
    try {
      await (this.worker && this.ready ? this.ready : this.start());
    } catch (error) {
      return this.stoppedAnswer('crash', error, false);
    }
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise<ToolAnswer>((resolve) => {
      let baseline = process.memoryUsage.rss();
      const stop = (answer: ToolAnswer) => {
        this.end(worker, answer);
        void worker.terminate();
      };
      const watch = setInterval(() => {
        const rss = process.memoryUsage.rss();
        if (rss - baseline > this.maxMemoryMb * MB) stop(this.stoppedAnswer('memory', null));
        // Memory given back (a big result freed) lowers the mark the call is measured from.
        else if (rss < baseline) baseline = rss;
      }, POLL_MS);
      const onAbort = () => stop(this.stoppedAnswer('cancelled', null));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.running = {
        id,
        migration: null,
        settle: (answer) => {
          clearInterval(watch);
          signal?.removeEventListener('abort', onAbort);
          this.running = null;
          resolve(answer);
        },
      };
      worker.postMessage({ id, tool, input } satisfies SandboxCall);
    });
  }

  /** The answer of a call that the worker could not finish. */
  private stoppedAnswer(why: 'memory' | 'cancelled' | 'crash', cause: unknown, started = true): ToolAnswer {
    const migration = this.running?.migration ?? null;
    const what = migration ? `migration ${migration}` : 'the call';
    const where =
      this.config.db === undefined
        ? 'its throwaway database was discarded'
        : "its throwaway database was discarded, and on the server's database its transaction was rolled back " +
          '(MySQL keeps the CREATE, ALTER and DROP statements it ran: check the schema)';
    let message: string;
    let hint: string | undefined;
    if (why === 'memory') {
      message = `${what} used more than ${this.maxMemoryMb} MB of memory and was stopped; ${where}.`;
      hint =
        'Look for a loop that keeps adding to a string or table, or a query that reads far more rows than needed. ' +
        'If it really needs more, start the server with a higher --max-memory-mb.';
    } else if (why === 'cancelled') {
      message = `${what} was cancelled by the client and stopped; ${where}.`;
    } else {
      const detail = cause instanceof Error ? cause.message : 'the worker thread ended without an answer';
      message = started
        ? `${what} stopped unexpectedly (${detail}); ${where}.`
        : `moonwalk mcp could not start its worker thread (${detail}); nothing ran.`;
    }
    return {
      document: {
        ok: false,
        error: {
          code: why === 'memory' ? 'memory_limit' : why,
          migration,
          phase: 'internal',
          message,
          ...(hint ? { hint } : {}),
        },
      },
      isError: true,
    };
  }
}
