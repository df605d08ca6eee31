/**
 * PostgreSQL over the network, through `pg` (node-postgres): `openPostgres(url)` connects (TLS as the URL's sslmode
 * says, falling back to plain TCP where libpq would) and hands back the driver. Node only.
 */
import pg from 'pg';
import type { ConnectionOptions } from 'node:tls';
import type { Driver } from '../../core/driver.ts';
import { ConnectionError } from '../connection-error.ts';
import { connectFailureReason } from '../server-url.ts';
import { PostgresDriver } from './driver.ts';
import { parsePostgresUrl, type PgSettings } from './settings.ts';
import { typeParsers } from './values.ts';

export interface OpenPostgresOptions {
  /** How long connecting (TCP, TLS and authentication) may take before giving up. */
  connectTimeoutMs: number;
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

  const driver = new PostgresDriver(client, s.target);
  if (s.schema !== undefined) {
    try {
      await client.query("SELECT set_config('search_path', $1, false)", [quoteIdent(s.schema)]);
    } catch (err) {
      await driver.close();
      throw err;
    }
  }
  return driver;
}
