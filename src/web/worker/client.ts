/**
 * The page's side of the engine worker: sends requests, matches replies by id, and can end the worker (Stop) and
 * start a fresh one. Pending requests of an ended worker are rejected with `StoppedError`. What it talks to is a
 * `Connect`: the worker in the page, an in-process engine in Node tests.
 */
import type {
  CommandResult,
  EngineId,
  EngineState,
  ResultOf,
  RunEvent,
  WorkerReply,
  WorkerRequest,
  WorkerRequestBody,
} from './protocol.ts';

export class StoppedError extends Error {
  constructor() {
    super('stopped');
  }
}

export interface EngineClientListener {
  engine(engine: EngineId, state: EngineState, details: { message?: string; loadMs?: number }): void;
  event(requestId: number, event: RunEvent): void;
  /** The worker crashed (an uncaught error or a failed load of the worker script). */
  crashed(message: string): void;
}

/** The worker started by `startEarly`, with what it said before the client took it over. */
interface Early {
  worker: Worker;
  replies: WorkerReply[];
  errors: string[];
  detach(): void;
}
let early: Early | null = null;

function createWorker(): Worker {
  return new Worker(new URL('./worker-entry.ts', import.meta.url), { type: 'module', name: 'moonwalk-engine' });
}

/**
 * Starts the engine worker before the rest of the page has loaded (it opens SQLite at once), so that the engine and
 * the page load in parallel. The first `EngineClient` takes it over, with the messages it sent meanwhile.
 */
export function startEarly(): void {
  if (early) return;
  const worker = createWorker();
  const replies: WorkerReply[] = [];
  const errors: string[] = [];
  const onMessage = (event: MessageEvent<WorkerReply>) => {
    replies.push(event.data);
  };
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    errors.push(event.message || 'the engine worker failed to start');
  };
  worker.addEventListener('message', onMessage);
  worker.addEventListener('error', onError);
  early = {
    worker,
    replies,
    errors,
    detach: () => {
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
    },
  };
}

/** The other end of an `EngineClient`: the engine worker in the page, an in-process `EngineHost` in Node tests. */
export interface EngineConnection {
  post(request: WorkerRequest): void;
  /** Ends it at once, whatever it runs; nothing it says afterwards arrives. */
  terminate(): void;
}

/** Opens a connection that hands every reply to `receive`, and reports a broken one to `crashed`. */
export type Connect = (receive: (reply: WorkerReply) => void, crashed: (message: string) => void) => EngineConnection;

/** The engine worker: the one `startEarly` started (with what it said meanwhile) the first time, a new one after. */
export const connectWorker: Connect = (receive, crashed) => {
  const adopted = early;
  early = null;
  const worker = adopted?.worker ?? createWorker();
  worker.addEventListener('message', (event: MessageEvent<WorkerReply>) => receive(event.data));
  worker.addEventListener('error', (event: ErrorEvent) => {
    event.preventDefault();
    crashed(event.message || 'the engine worker failed to start');
  });
  worker.addEventListener('messageerror', () => crashed('a message from the engine worker could not be read'));
  if (adopted) {
    adopted.detach();
    queueMicrotask(() => {
      for (const reply of adopted.replies) receive(reply);
      for (const message of adopted.errors) crashed(message);
    });
  }
  return { post: (request) => worker.postMessage(request), terminate: () => worker.terminate() };
};

interface Pending {
  resolve: (result: CommandResult) => void;
  reject: (error: Error) => void;
}

/** What the playground store needs of a client (an `EngineClient`, whatever it is connected to). */
export interface EngineRequests {
  request<B extends WorkerRequestBody>(body: B, onId?: (id: number) => void): Promise<ResultOf<B['type']>>;
  restart(): void;
}

export class EngineClient implements EngineRequests {
  private connection: EngineConnection;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(
    private readonly listener: EngineClientListener,
    private readonly connect: Connect = connectWorker,
  ) {
    this.connection = this.open();
  }

  private open(): EngineConnection {
    return this.connect(
      (reply) => this.receive(reply),
      (message) => {
        this.rejectAll(new Error(message));
        this.listener.crashed(message);
      },
    );
  }

  private receive(reply: WorkerReply): void {
    switch (reply.type) {
      case 'engine':
        this.listener.engine(reply.engine, reply.state, {
          ...(reply.message !== undefined ? { message: reply.message } : {}),
          ...(reply.loadMs !== undefined ? { loadMs: reply.loadMs } : {}),
        });
        break;
      case 'event':
        this.listener.event(reply.id, reply.event);
        break;
      case 'done':
      case 'failed': {
        const pending = this.pending.get(reply.id);
        if (!pending) return;
        this.pending.delete(reply.id);
        if (reply.type === 'done') pending.resolve(reply.result);
        else pending.reject(new Error(reply.message));
        break;
      }
    }
  }

  /** Sends a request; `onId` learns its id before any event for it can arrive. */
  request<B extends WorkerRequestBody>(body: B, onId?: (id: number) => void): Promise<ResultOf<B['type']>> {
    const id = this.nextId++;
    onId?.(id);
    return new Promise<CommandResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.connection.post({ ...body, id });
      // The worker answers request `id` with the result of its type (engine-host.ts HANDLERS is typed so).
    }) as Promise<ResultOf<B['type']>>;
  }

  /** Ends the worker at once (whatever it runs) and starts a fresh one with empty databases. */
  restart(): void {
    this.connection.terminate();
    this.rejectAll(new StoppedError());
    this.connection = this.open();
  }

  private rejectAll(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
  }
}
