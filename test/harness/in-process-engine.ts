/**
 * The playground's engine in Node: the worker's own `EngineHost` (src/web/worker/engine-host.ts) with Node's sql.js
 * and PGlite, connected to the page's real `EngineClient` in place of the Web Worker. Replies are structured-cloned
 * and delivered a task later, as a worker's would be; a terminated connection delivers nothing more.
 */
import type { Driver } from '../../src/core/driver.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { EngineHost } from '../../src/web/worker/engine-host.ts';
import type { Connect } from '../../src/web/worker/client.ts';
import type { EngineId } from '../../src/web/worker/protocol.ts';

export function openNodeEngine(engine: EngineId, sqliteFile?: Uint8Array): Promise<Driver> {
  return engine === 'sqlite' ? openSqlJs(sqliteFile ? { data: sqliteFile } : {}) : openPglite();
}

export interface InProcessOptions {
  /** Opens each database; Node's sql.js and PGlite unless a test says otherwise. */
  openEngine?: (engine: EngineId, sqliteFile?: Uint8Array) => Promise<Driver>;
}

export function connectInProcess(options: InProcessOptions = {}): Connect {
  return (receive) => {
    let ended = false;
    const host = new EngineHost({
      post: (reply) => {
        const copy = structuredClone(reply);
        setTimeout(() => {
          if (!ended) receive(copy);
        });
      },
      openEngine: options.openEngine ?? openNodeEngine,
    });
    host.loadSlot('sqlite').catch(() => {});
    return {
      post: (request) => host.enqueue(structuredClone(request)),
      terminate: () => {
        ended = true;
      },
    };
  };
}
