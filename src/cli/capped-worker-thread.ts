/**
 * Inside the worker thread that src/cli/capped-worker.ts starts: `runCommand(argv)` with its output and progress
 * posted to the main thread as plain messages, in order, on the one port. Nothing here decides anything: the command
 * behaves exactly as `runCommand` in process, and the main thread prints what it is sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runCommand, type CliEvent } from './command.ts';

/** What the worker posts, in order: `ready` once everything is loaded, output and events, then `exit` with the code. */
export type WorkerMessage =
  { t: 'ready' } | { t: 'out' | 'err'; text: string } | { t: 'event'; event: CliEvent } | { t: 'exit'; code: number };

export interface WorkerInput {
  argv: string[];
}

const port = parentPort;
if (!port) throw new Error('src/cli/capped-worker-thread.ts runs inside the worker that capped-worker.ts starts');
const post = (message: WorkerMessage) => port.postMessage(message);
const { argv } = workerData as WorkerInput;

post({ t: 'ready' });
const code = await runCommand(argv, {
  out: (text) => post({ t: 'out', text }),
  err: (text) => post({ t: 'err', text }),
  env: process.env,
  // Migration output lines already come as `out` text: only what the main thread tracks is sent.
  event: (event) => {
    if (event.type !== 'output') post({ t: 'event', event });
  },
});
post({ t: 'exit', code });
