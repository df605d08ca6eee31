/**
 * The engine worker's entry, kept tiny so that it runs a moment after the page starts the worker. It starts SQLite's
 * wasm downloading and compiling at once (it is the largest file before "SQLite ready"), and loads the rest of the
 * worker (engine.worker.ts: sql.js's glue, the Lua engine, the runner) in parallel with it, instead of one after the
 * other. Requests that arrive before the rest has loaded are held and handed over in order.
 */
import { compileSqliteWasm } from './wasm.ts';
import type { WorkerRequest } from './protocol.ts';

const held: WorkerRequest[] = [];
const hold = (event: MessageEvent<WorkerRequest>) => {
  held.push(event.data);
};
self.addEventListener('message', hold);

const sqliteWasm = compileSqliteWasm();
sqliteWasm.catch(() => {
  /* reported when SQLite opens with it */
});

import('./engine.worker.ts').then(
  ({ startWorker }) => {
    self.removeEventListener('message', hold);
    startWorker({ sqliteWasm, held });
  },
  (error: unknown) => {
    // Thrown outside the promise, so that it reaches the page as the worker's `error` event (the client reports it).
    setTimeout(() => {
      throw error instanceof Error ? error : new Error(String(error));
    });
  },
);
