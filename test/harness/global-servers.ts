/**
 * One PostgreSQL and one MariaDB server for the whole test run.
 *
 * As a Vitest globalSetup (`globalSetup: ['test/harness/global-servers.ts']` in vitest.config.ts) the default export
 * starts both servers in parallel before any test file runs, hands their URLs to the test workers through
 * `provide('moonwalkServers', …)`, and stops them after the run. In a test file:
 *
 *   const pg = await useServer('postgres');             // shared server (or a private one, see below)
 *   const url = await scratchDatabase(pg, 'runner');    // a fresh database of this file's own
 *
 * Without the globalSetup (or with MOONWALK_TEST_SERVERS=per-file), `useServer` starts a private server for the calling
 * test file; call `stop()` on it in afterAll (a no-op for the shared one). Tests that kill or restart a server must
 * use `startPostgres()` / `startMariadb()` from servers.ts directly, never the shared one.
 *
 * External servers instead of starting any: MOONWALK_TEST_POSTGRES_URL (+ MOONWALK_TEST_POSTGRES_ADMIN_URL),
 * MOONWALK_TEST_MYSQL_URL (+ MOONWALK_TEST_MYSQL_ADMIN_URL).
 */
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { createScratchDatabase, startMariadb, startPostgres, type RunningServer } from './servers.ts';

export type ServerEngine = 'postgres' | 'mysql';

export interface SharedServerInfo {
  url: string;
  adminUrl?: string;
  pid: number;
}

/** Either the server, or why there is none (the error message of the start-up, shown by every test that asks). */
export type SharedServerSlot = { ok: true; server: SharedServerInfo } | { ok: false; error: string };

export type SharedServers = Record<ServerEngine, SharedServerSlot>;

declare module 'vitest' {
  export interface ProvidedContext {
    moonwalkServers: SharedServers;
  }
}

function external(engine: ServerEngine): SharedServerInfo | null {
  const prefix = engine === 'postgres' ? 'MOONWALK_TEST_POSTGRES' : 'MOONWALK_TEST_MYSQL';
  const url = process.env[`${prefix}_URL`];
  if (!url) return null;
  const adminUrl = process.env[`${prefix}_ADMIN_URL`];
  return { url, ...(adminUrl ? { adminUrl } : {}), pid: -1 };
}

/** Vitest globalSetup: starts both servers, provides their URLs, returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.MOONWALK_TEST_SERVERS === 'per-file') return async () => {};
  const running: RunningServer[] = [];
  const startOne = async (engine: ServerEngine): Promise<SharedServerSlot> => {
    const ext = external(engine);
    if (ext) return { ok: true, server: ext };
    try {
      const started = Date.now();
      const server = engine === 'postgres' ? await startPostgres() : await startMariadb();
      running.push(server);
      if (process.env.MOONWALK_TEST_SERVERS_VERBOSE) {
        console.log(`[global-servers] ${engine} ready in ${Date.now() - started} ms: ${server.url}`);
      }
      return {
        ok: true,
        server: { url: server.url, ...(server.adminUrl ? { adminUrl: server.adminUrl } : {}), pid: server.pid },
      };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  };
  const [postgres, mysql] = await Promise.all([startOne('postgres'), startOne('mysql')]);
  project.provide('moonwalkServers', { postgres, mysql });
  return async () => {
    await Promise.all(running.map((s) => s.stop()));
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Test-side helpers (run inside the test workers)

export interface TestServer extends RunningServer {
  engine: ServerEngine;
  /** True for the run-wide server: stop() does nothing, and the test must not kill it. */
  shared: boolean;
}

/**
 * The server for `engine`: the run-wide one when the globalSetup provided it; a private one for this test file
 * otherwise (remember `afterAll(() => server.stop())`). Throws the start-up error when the server could not start.
 */
export async function useServer(engine: ServerEngine): Promise<TestServer> {
  let provided: SharedServers | undefined;
  try {
    provided = inject('moonwalkServers');
  } catch {
    provided = undefined;
  }
  const slot = provided?.[engine];
  if (slot?.ok) {
    return { ...slot.server, engine, shared: true, stop: async () => {} };
  }
  if (slot && !slot.ok) throw new Error(slot.error);
  const ext = external(engine);
  if (ext) return { ...ext, engine, shared: true, stop: async () => {} };
  const server = engine === 'postgres' ? await startPostgres() : await startMariadb();
  return Object.assign(server, { engine, shared: false });
}

let scratchCounter = 0;

/**
 * A new, empty database on `server` for this test file, named `<prefix>_<pid>_<n>` so that files running in parallel
 * on the shared server never meet. Returns the URL for the ordinary test user.
 */
export async function scratchDatabase(
  server: Pick<RunningServer, 'url' | 'adminUrl'>,
  prefix = 'scratch',
): Promise<string> {
  const safe = prefix.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40) || 'scratch';
  return createScratchDatabase(server, `${safe}_${process.pid}_${++scratchCounter}`);
}
