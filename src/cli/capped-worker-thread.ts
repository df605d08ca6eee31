/**
 * Inside the worker thread that src/cli/capped-worker.ts starts: `runCommand(argv)` with its output and progress
 * posted to the main thread as plain messages, in order, on the one port. Nothing here decides anything: the command
 * behaves exactly as `runCommand` in process, and the main thread prints what it is sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runCommand, type CliEvent } from './command.ts';
import type { MigrationFile } from '../core/migration-files.ts';

/**
 * What the worker posts (in arrays, in order): `ready` once everything is loaded, output and events, then `exit`
 * with the code.
 */
export type WorkerMessage =
  { t: 'ready' } | { t: 'out' | 'err'; text: string } | { t: 'event'; event: CliEvent } | { t: 'exit'; code: number };

export interface WorkerInput {
  argv: string[];
  /** The main thread posts one FilesMessage: the migrations folder it read while this thread started. */
  filesFollow: boolean;
}

/** The folder `dir` as the main thread read it; null when it could not (the command reads it and says why). */
export interface FilesMessage {
  dir: string;
  files: MigrationFile[] | null;
}

const port = parentPort;
if (!port) throw new Error('src/cli/capped-worker-thread.ts runs inside the worker that capped-worker.ts starts');
/**
 * Messages go out in batches, in order: what one synchronous stretch posts (the results of a whole batch, a result and
 * its line) is one postMessage at the next microtask. The runner awaits before a migration's code runs, so its
 * `start` is out before the code that a memory cap or Ctrl-C may stop.
 */
let queue: WorkerMessage[] = [];
const flush = () => {
  const batch = queue;
  queue = [];
  port.postMessage(batch);
};
const post = (message: WorkerMessage) => {
  if (queue.push(message) === 1) queueMicrotask(flush);
};
const { argv, filesFollow } = workerData as WorkerInput;
const given = filesFollow
  ? new Promise<FilesMessage>((resolve) => port.once('message', resolve))
  : Promise.resolve<FilesMessage | null>(null);

post({ t: 'ready' });
const code = await runCommand(
  argv,
  {
    out: (text) => post({ t: 'out', text }),
    err: (text) => post({ t: 'err', text }),
    env: process.env,
    // Migration output lines already come as `out` text: only what the main thread tracks is sent.
    event: (event) => {
      if (event.type !== 'output') post({ t: 'event', event });
    },
  },
  {
    files: async (dir) => {
      const message = await given;
      return message?.dir === dir ? message.files : null;
    },
  },
);
post({ t: 'exit', code });
