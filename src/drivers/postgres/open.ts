/**
 * PostgreSQL over the network, through `pg` (node-postgres): `openPostgres(url)` connects (TLS as the URL's sslmode
 * says, falling back to plain TCP where libpq would) and hands back the driver. Node only.
 */
import pg from 'pg';
import type { ConnectionOptions } from 'node:tls';
import type { Driver, LockInfo, LockStrategy } from '../../core/driver.ts';
import { ConnectionError } from '../connection-error.ts';
import { connectFailureReason } from '../server-url.ts';
import { PostgresDriver } from './driver.ts';
import { advisoryLockKey } from './lock.ts';
import { parsePostgresUrl, type PgSettings } from './settings.ts';
import { typeParsers } from './values.ts';

export interface OpenPostgresOptions {
  /** How long connecting (TCP, TLS and authentication) may take before giving up. */
  connectTimeoutMs: number;
  /** The run lock (DESIGN §4); chosen from what the server says when absent (`chooseLock`). */
  lock?: LockStrategy;
  /**
   * false for a run that is rolled back (a dry run, diff): the lease lock of `--lock table` does not make its table
   * (a database where no runner has taken a lease has nothing to wait for).
   */
  makeLockTable?: boolean;
}

/**
 * The run lock for this connection. Asked for: that one. Otherwise `table` where Moonwalk can tell that advisory locks
 * do not hold: the server listens on another port than the one connected to (a pooler such as PgBouncer, or a proxy,
 * in between: in transaction pooling a session lock stays on a shared server connection), or the server is
 * CockroachDB or YugabyteDB (advisory locks missing or no-ops). `advisory` for a direct connection.
 */
async function chooseLock(client: pg.Client, s: PgSettings, requested: LockStrategy | undefined): Promise<LockInfo> {
  if (requested) return { strategy: requested, reason: 'asked for' };
  const res = await client.query<{ port: number | null; version: string }>(
    'SELECT inet_server_port() AS port, version() AS version',
  );
  const { port, version } = res.rows[0] ?? { port: null, version: '' };
  if (/CockroachDB/i.test(version)) return { strategy: 'table', reason: 'CockroachDB has no advisory locks' };
  if (/-YB-/.test(version)) return { strategy: 'table', reason: 'YugabyteDB has no advisory locks' };
  if (port !== null && Number(port) !== s.port && !s.host.startsWith('/')) {
    return {
      strategy: 'table',
      reason:
        `connected to port ${s.port}, but the server listens on ${port}: a pooler (PgBouncer?) or proxy is in ` +
        'between, where a session advisory lock does not hold',
    };
  }
  return { strategy: 'advisory', reason: 'a direct connection to the server' };
}

function connectClient(s: PgSettings, ssl: false | ConnectionOptions, timeoutMs: number): Promise<pg.Client> {
  const client = new pg.Client({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    ssl,
    application_name: s.applicationName,
    options: s.options,
    connectionTimeoutMillis: Math.max(1, timeoutMs),
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: typeParsers,
  });
  // Until the driver installs its own handler: an error after a failed connect must not crash the process.
  client.on('error', () => {});
  return new Promise((resolve, reject) => {
    let finished = false;
    const timer = setTimeout(() => {
      if (finished) return;
      finished = true;
      client.end().catch(() => {});
      reject(Object.assign(new Error(`no answer within ${(timeoutMs / 1000).toFixed(1)} s`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    client.connect().then(
      () => {
        clearTimeout(timer);
        if (finished) {
          client.end().catch(() => {});
          return;
        }
        finished = true;
        resolve(client);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (finished) return;
        finished = true;
        client.end().catch(() => {});
        reject(err);
      },
    );
  });
}

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

export async function openPostgres(url: string, options: OpenPostgresOptions): Promise<Driver> {
  const s = parsePostgresUrl(url);
  const where = s.host.startsWith('/') ? `${s.host} (Unix socket, port ${s.port})` : `${s.host}:${s.port}`;
  const started = Date.now();
  const timeoutMs = Math.max(1, options.connectTimeoutMs);

  let client: pg.Client;
  try {
    try {
      client = await connectClient(s, s.ssl, timeoutMs);
    } catch (err) {
      // prefer / allow: a server without TLS is fine, as with libpq
      const noSsl = /does not support SSL/i.test((err as Error)?.message ?? '');
      if (!(noSsl && (s.sslmode === 'prefer' || s.sslmode === 'allow'))) throw err;
      client = await connectClient(s, false, Math.max(1, timeoutMs - (Date.now() - started)));
    }
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    throw new ConnectionError(
      `could not connect to PostgreSQL at ${where} (database "${s.database}", user "${s.user}"): ` +
        connectFailureReason(err, s.password),
      typeof code === 'string' ? code : '08001',
      err,
    );
  }

  let driver: PostgresDriver | null = null;
  try {
    const lock = await chooseLock(client, s, options.lock);
    const pooled = lock.strategy === 'table';
    const schema = s.schema !== undefined ? quoteIdent(s.schema) : null;
    driver = new PostgresDriver(client, s.target, lock, pooled ? schema : null, advisoryLockKey(s.schema), {
      makeLockTable: options.makeLockTable !== false,
    });
    if (schema !== null && !pooled) await client.query("SELECT set_config('search_path', $1, false)", [schema]);
  } catch (err) {
    if (driver) await driver.close();
    else await client.end().catch(() => {});
    throw err;
  }
  return driver;
}
