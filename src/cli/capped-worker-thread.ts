/**
 * Inside the worker thread that src/cli/capped-worker.ts starts: `runCommand(argv)` with its output and progress
 * posted to the main thread as plain messages, in order, on the one port. Nothing here decides anything: the command
 * behaves exactly as `runCommand` in process, and the main thread prints what it is sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runCommand, type CliEvent } from './command.ts';
import type { MigrationFile } from '../core/migration-files.ts';
import { StartLog } from './start-log.ts';

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
  /** A StartLog's memory: the start events not posted yet. */
  startLog: SharedArrayBuffer;
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
 * its line) is one postMessage at the next microtask; a `start` waits in the StartLog for the next message.
 */
let queue: WorkerMessage[] = [];
let scheduled = false;
const flush = () => {
  scheduled = false;
  const batch = queue;
  queue = [];
  port.postMessage(batch);
  startLog.clear();
};
const post = (message: WorkerMessage) => {
  queue.push(message);
  // A start waits for the next message (the migration's result, its output): the main thread reads it from the log
  // if this thread ends first. Per migration that is one postMessage instead of two, and a batch's are a few.
  if (message.t === 'event' && message.event.type === 'start') {
    const { id, direction } = message.event;
    if (startLog.append({ id, direction, at: performance.timeOrigin + performance.now() })) return;
  }
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(flush);
  }
};
const { argv, filesFollow, startLog: startLogBuffer } = workerData as WorkerInput;
const startLog = new StartLog(startLogBuffer);
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
