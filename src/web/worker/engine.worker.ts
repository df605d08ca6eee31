/**
 * The engine worker: an `EngineHost` (engine-host.ts: the databases, the Lua host and the runner) with the browser's
 * engines, talking to the page only through the plain messages of `protocol.ts`. Runaway Lua code blocks this worker,
 * not the page: the page's Stop button terminates it and starts a fresh one.
 *
 * Loaded by the worker's entry (worker-entry.ts), which has started SQLite's wasm already and calls `startWorker`.
 * SQLite opens as soon as this module has loaded; PGlite only when PostgreSQL is asked for. Download database and
 * Verify load their code on first use.
 */
import { openEngine, useSqliteWasm } from './engines.ts';
import { EngineHost } from './engine-host.ts';
import type { WorkerReply, WorkerRequest } from './protocol.ts';

interface WorkerScope {
  postMessage(message: WorkerReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
}

/**
 * Called once by the worker's entry: opens SQLite with the wasm the entry has been fetching, then handles the
 * requests the entry held while this module loaded, and every later one, in order.
 */
export function startWorker(early: { sqliteWasm: Promise<WebAssembly.Module>; held: WorkerRequest[] }): void {
  const scope = self as unknown as WorkerScope;
  useSqliteWasm(early.sqliteWasm);
  const host = new EngineHost({
    post: (message) => scope.postMessage(message),
    openEngine,
    preloaded: ['sqlite'],
  });
  host.loadSlot('sqlite').catch(() => {
    /* reported through the engine message */
  });
  for (const request of early.held) host.enqueue(request);
  scope.addEventListener('message', (event) => host.enqueue(event.data));
}
