/**
 * PostgreSQL over the network, through `pg` (node-postgres). Node only.
 *
 * One dedicated client: transactions, savepoints, prepared statements and the advisory lock all live in one session.
 *
 * URL: `postgres://user:password@host:port/database?sslmode=…&schema=…` (also `postgresql://`). Missing parts come
 * from PGUSER, PGPASSWORD, PGHOST, PGPORT, PGDATABASE, PGSSLMODE, PGAPPNAME (and ~/.pgpass through `pg`), as with libpq.
 * Query parameters understood: `sslmode` (disable | allow | prefer | require | verify-ca | verify-full; default prefer),
 * `sslrootcert` (a file, or `system` for the system's CAs), `sslcert`, `sslkey`, `schema` (sets search_path, creates
 * nothing), `host` (e.g. a Unix socket directory), `port`, `user`, `password`, `dbname`, `application_name`, `options`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { Driver, ExecResult, PreparedStatement, QueryResult, SqlValue } from '../core/driver.ts';
import { ConnectionError } from './connection-error.ts';
import { decodeUrlPart, maskUrl, parseServerUrl, readFileParam } from './server-url.ts';

export { ConnectionError };

export interface OpenPostgresOptions {
  /** How long connecting (TCP, TLS and authentication) may take before giving up. */
  connectTimeoutMs: number;
}

/**
 * The advisory-lock key every moonwalk run takes: the first 8 bytes of sha256("moonwalk") as a signed 64-bit integer.
 * PostgreSQL scopes advisory locks to the current database, so runs against different databases do not block each other.
 */
export const POSTGRES_LOCK_KEY: bigint = createHash('sha256').update('moonwalk').digest().readBigInt64BE(0);

type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

interface PgSettings {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  sslmode: SslMode;
  ssl: false | ConnectionOptions;
  schema: string | undefined;
  applicationName: string;
  options: string | undefined;
  target: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// URL and settings

function sslOptions(
  mode: SslMode,
  params: URLSearchParams,
  env: NodeJS.ProcessEnv,
  host: string,
): false | ConnectionOptions {
  if (mode === 'disable' || host.startsWith('/')) return false;
  const opts: ConnectionOptions = {};
  const certFile = params.get('sslcert') ?? env.PGSSLCERT;
  const keyFile = params.get('sslkey') ?? env.PGSSLKEY;
  if (certFile) opts.cert = readFileParam('sslcert', certFile);
  if (keyFile) opts.key = readFileParam('sslkey', keyFile);

  let rootCert = params.get('sslrootcert') ?? env.PGSSLROOTCERT;
  const defaultRoot = path.join(os.homedir(), '.postgresql', 'root.crt');
  if (!rootCert && (mode === 'verify-ca' || mode === 'verify-full') && fs.existsSync(defaultRoot))
    rootCert = defaultRoot;
  if (rootCert && rootCert !== 'system') opts.ca = readFileParam('sslrootcert', rootCert);

  if (mode === 'verify-full') {
    opts.rejectUnauthorized = true; // chain and host name
  } else if (mode === 'verify-ca' || (mode === 'require' && rootCert)) {
    // libpq: with a root certificate, "require" behaves like verify-ca
    opts.rejectUnauthorized = true;
    opts.checkServerIdentity = () => undefined;
  } else {
    opts.rejectUnauthorized = false; // allow / prefer / require: encrypted, not authenticated
  }
  return opts;
}

function parseSettings(url: string, env: NodeJS.ProcessEnv = process.env): PgSettings {
  const u = parseServerUrl(
    url,
    ['postgres:', 'postgresql:'],
    'PostgreSQL',
    'postgres://user:password@host:port/database',
  );
  const p = u.searchParams;
  const dec = decodeUrlPart;
  const host = dec(u.hostname).replace(/^\[(.*)\]$/, '$1') || p.get('host') || env.PGHOST || 'localhost';
  const portText = u.port || p.get('port') || env.PGPORT || '5432';
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new ConnectionError(`invalid port ${portText}`, 'EINVAL');
  const user = dec(u.username) || p.get('user') || env.PGUSER || os.userInfo().username;
  const password = (u.password ? dec(u.password) : undefined) ?? p.get('password') ?? env.PGPASSWORD ?? undefined;
  const database = dec(u.pathname.replace(/^\//, '')) || p.get('dbname') || env.PGDATABASE || user;
  const modeText = (p.get('sslmode') ?? env.PGSSLMODE ?? 'prefer').toLowerCase();
  if (!SSL_MODES.includes(modeText as SslMode)) {
    throw new ConnectionError(`invalid sslmode "${modeText}" (use one of ${SSL_MODES.join(', ')})`, 'EINVAL');
  }
  const sslmode = modeText as SslMode;
  return {
    host,
    port,
    user,
    password,
    database,
    sslmode,
    ssl: sslOptions(sslmode, p, env, host),
    schema: p.get('schema') ?? undefined,
    applicationName: p.get('application_name') ?? env.PGAPPNAME ?? 'moonwalk',
    options: p.get('options') ?? undefined,
    target: maskUrl(u),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Values

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function int8(text: string): number | bigint {
  const n = BigInt(text);
  return n <= MAX_SAFE && n >= MIN_SAFE ? Number(n) : n;
}

const byteaEscapeParser = pg.types.getTypeParser(17, 'text') as (text: string) => Uint8Array;

function bytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
  return new Uint8Array(byteaEscapeParser(text)); // the old "escape" output format
}

const identity = (text: string): string => text;

/** Text in, SqlValue out: everything not listed here (dates, times, intervals, json, uuid, arrays, …) stays text. */
const PARSERS: Record<number, (text: string) => SqlValue> = {
  16: (t) => t === 't' || t === 'true', // bool
  17: bytea,
  20: int8,
  21: Number, // int2
  23: Number, // int4
  26: Number, // oid
  700: Number, // float4 (Number handles NaN, Infinity, -Infinity)
  701: Number, // float8
  1700: identity, // numeric: exact, as text
};

const typeParsers = {
  getTypeParser: (oid: number, format?: string) => {
    if (format === 'binary') return (value: Buffer) => new Uint8Array(value);
    return PARSERS[oid] ?? identity;
  },
} as unknown as pg.CustomTypesConfig;

function toPg(value: SqlValue): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return 'Infinity';
    if (value === -Infinity) return '-Infinity';
    return value;
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value; // boolean, string
}

// ---------------------------------------------------------------------------------------------------------------------
// Protocol helpers for prepare / close (pg has no public "parse only" call; a Submittable is its extension point)

interface PgConnection {
  parse(msg: { name: string; text: string; types: number[] }): void;
  describe(msg: { type: 'S' | 'P'; name: string }): void;
  close(msg: { type: 'S' | 'P'; name: string }): void;
  sync(): void;
  parsedStatements: Record<string, string>;
}

/** Sends Parse + Describe + Sync: the statement is checked by the server and kept under `name`, nothing runs. */
class ParseStatement {
  private failed = false;
  readonly done: Promise<void>;
  private settle!: (err?: Error) => void;
  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve());
    });
  }
  submit(connection: unknown): void {
    const c = connection as PgConnection;
    c.parse({ name: this.name, text: this.text, types: [] });
    c.describe({ type: 'S', name: this.name });
    c.sync();
  }
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}
  handleError(err: Error): void {
    this.failed = true;
    this.settle(err);
  }
  handleReadyForQuery(): void {
    if (!this.failed) this.settle();
  }
}

/** Sends Close(statement) + Sync and forgets the statement on the client side too. */
class CloseStatement {
  readonly done: Promise<void>;
  private settle!: (err?: Error) => void;
  constructor(readonly statement: string) {
    this.done = new Promise((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve());
    });
  }
  submit(connection: unknown): void {
    const c = connection as PgConnection;
    delete c.parsedStatements[this.statement];
    c.close({ type: 'S', name: this.statement });
    c.sync();
  }
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}
  handleError(err: Error): void {
    this.settle(err);
  }
  handleReadyForQuery(): void {
    this.settle();
  }
}

// ---------------------------------------------------------------------------------------------------------------------

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

function describeConnectFailure(err: unknown): string {
  const e = err as { message?: string; code?: string };
  const msg = e?.message ?? String(err);
  if (msg === 'timeout expired' || e?.code === 'ETIMEDOUT') return 'no answer within the connect timeout';
  return msg;
}

export async function openPostgres(url: string, options: OpenPostgresOptions): Promise<Driver> {
  const s = parseSettings(url);
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
    let reason = describeConnectFailure(err);
    if (s.password && s.password.length >= 3) reason = reason.split(s.password).join('***');
    const code = (err as { code?: unknown })?.code;
    throw new ConnectionError(
      `could not connect to PostgreSQL at ${where} (database "${s.database}", user "${s.user}"): ${reason}`,
      typeof code === 'string' ? code : '08001',
      err,
    );
  }

  const driver = new PostgresDriver(client, s);
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

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

const ROW_COUNT_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

class PostgresDriver implements Driver {
  readonly engine = 'postgres' as const;
  readonly transactionalDdl = true;
  readonly target: string;
  private lost: Error | null = null;
  private closed = false;
  private statementCounter = 0;

  constructor(
    private readonly client: pg.Client,
    settings: PgSettings,
  ) {
    this.target = settings.target;
    client.removeAllListeners('error');
    client.on('error', (err: Error) => {
      this.lost ??= err;
    });
    client.on('end', () => {
      if (!this.closed) this.lost ??= new Error('the server closed the connection');
    });
  }

  /** Turns what `pg` throws into what the core expects: server errors as they are, a lost connection said plainly. */
  private fail(err: unknown): never {
    const e = err as Error & { code?: unknown; severity?: unknown };
    if (this.closed) throw new ConnectionError(`the connection to ${this.target} is closed`, '08003', err);
    const isServerError = e instanceof Error && typeof e.code === 'string' && typeof e.severity === 'string';
    const fatal = isServerError && (e.severity === 'FATAL' || e.severity === 'PANIC');
    if (isServerError && !fatal) throw e;
    const connectionTrouble =
      fatal ||
      this.lost !== null ||
      /Connection terminated|not queryable|ECONNRESET|EPIPE|ETIMEDOUT|socket/i.test(String(e?.message ?? e));
    if (!connectionTrouble) throw err; // something else (a client-side error): as it is
    const reason = this.lost && this.lost !== e ? this.lost : e;
    const code = isServerError ? (e.code as string) : '08006';
    throw new ConnectionError(
      `lost the connection to ${this.target}: ${(reason as Error)?.message ?? String(reason)}`,
      code,
      err,
    );
  }

  private async run(config: pg.QueryArrayConfig): Promise<pg.QueryArrayResult[]> {
    if (this.closed) throw new ConnectionError(`the connection to ${this.target} is closed`, '08003');
    try {
      const res = (await this.client.query(config)) as unknown as pg.QueryArrayResult | pg.QueryArrayResult[];
      return Array.isArray(res) ? res : [res];
    } catch (err) {
      this.fail(err);
    }
  }

  private static toQueryResult(results: pg.QueryArrayResult[]): QueryResult {
    const withRows = [...results].reverse().find((r) => r.fields && r.fields.length > 0) ?? results[results.length - 1];
    if (!withRows) return { columns: [], rows: [] };
    return { columns: (withRows.fields ?? []).map((f) => f.name), rows: withRows.rows as SqlValue[][] };
  }

  private static toExecResult(results: pg.QueryArrayResult[]): ExecResult {
    let n = 0;
    for (const r of results) if (ROW_COUNT_COMMANDS.has(r.command) && typeof r.rowCount === 'number') n += r.rowCount;
    return { rowsAffected: n, lastInsertId: null };
  }

  async query(sql: string, params: SqlValue[]): Promise<QueryResult> {
    return PostgresDriver.toQueryResult(await this.run({ text: sql, values: params.map(toPg), rowMode: 'array' }));
  }

  async execute(sql: string, params: SqlValue[]): Promise<ExecResult> {
    return PostgresDriver.toExecResult(await this.run({ text: sql, values: params.map(toPg), rowMode: 'array' }));
  }

  async prepare(sql: string): Promise<PreparedStatement> {
    if (this.closed) throw new ConnectionError(`the connection to ${this.target} is closed`, '08003');
    const name = `moonwalk_${++this.statementCounter}`;
    const parse = new ParseStatement(name, sql);
    this.client.query(parse);
    try {
      await parse.done;
    } catch (err) {
      this.fail(err);
    }
    let closed = false;
    const run = (params: SqlValue[]): Promise<pg.QueryArrayResult[]> => {
      if (closed) throw new Error('the prepared statement is closed');
      return this.run({ name, text: sql, values: params.map(toPg), rowMode: 'array' });
    };
    return {
      query: async (params) => PostgresDriver.toQueryResult(await run(params)),
      execute: async (params) => PostgresDriver.toExecResult(await run(params)),
      close: async () => {
        if (closed) return;
        closed = true;
        if (this.closed || this.lost) return;
        const close = new CloseStatement(name);
        this.client.query(close);
        await close.done.catch(() => {});
      },
    };
  }

  async begin(): Promise<void> {
    await this.run({ text: 'BEGIN', rowMode: 'array' });
  }

  async commit(): Promise<void> {
    await this.run({ text: 'COMMIT', rowMode: 'array' });
  }

  async rollback(): Promise<void> {
    await this.run({ text: 'ROLLBACK', rowMode: 'array' });
  }

  async exec(sql: string): Promise<void> {
    await this.run({ text: sql, rowMode: 'array' });
  }

  async lock(timeoutMs: number): Promise<() => Promise<void>> {
    const key = POSTGRES_LOCK_KEY.toString();
    const started = Date.now();
    let acquired = false;
    if (timeoutMs > 0) {
      // Wait in the server (woken the moment the holder lets go), bounded by lock_timeout for this one statement.
      const [prev] = await this.run({ text: "SELECT current_setting('lock_timeout')", rowMode: 'array' });
      const previous = String(prev?.rows[0]?.[0] ?? '0');
      await this.run({
        text: "SELECT set_config('lock_timeout', $1, false)",
        values: [`${Math.ceil(timeoutMs)}ms`],
        rowMode: 'array',
      });
      try {
        await this.run({ text: 'SELECT pg_advisory_lock($1::bigint)', values: [key], rowMode: 'array' });
        acquired = true;
      } catch (err) {
        if ((err as { code?: unknown }).code !== '55P03') throw err;
      } finally {
        if (!this.lost && !this.closed) {
          await this.run({
            text: "SELECT set_config('lock_timeout', $1, false)",
            values: [previous],
            rowMode: 'array',
          }).catch(() => {});
        }
      }
    } else {
      const [res] = await this.run({
        text: 'SELECT pg_try_advisory_lock($1::bigint)',
        values: [key],
        rowMode: 'array',
      });
      acquired = res?.rows[0]?.[0] === true;
    }
    if (!acquired) {
      const waited = (Date.now() - started) / 1000;
      const holder = await this.lockHolder().catch(() => '');
      throw Object.assign(
        new Error(
          `another moonwalk run holds the lock on ${this.target}; waited ${waited.toFixed(waited < 10 ? 1 : 0)} s` +
            (holder ? ` (${holder})` : ''),
        ),
        { code: 'LOCK_TIMEOUT' },
      );
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (this.closed || this.lost) return; // the lock went with the session
      await this.run({ text: 'SELECT pg_advisory_unlock($1::bigint)', values: [key], rowMode: 'array' });
    };
  }

  /** Who holds the advisory lock, as far as this user may see. */
  private async lockHolder(): Promise<string> {
    const unsigned = BigInt.asUintN(64, POSTGRES_LOCK_KEY);
    const classid = (unsigned >> 32n).toString();
    const objid = (unsigned & 0xffffffffn).toString();
    const [res] = await this.run({
      text:
        'SELECT a.pid, a.application_name, a.usename, host(a.client_addr), a.backend_start::timestamp(0)::text ' +
        'FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid ' +
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::text = $1 AND l.objid::text = $2 AND l.objsubid = 1 " +
        'AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1',
      values: [classid, objid],
      rowMode: 'array',
    });
    const row = res?.rows[0];
    if (!row) return '';
    const [pid, app, user, addr, since] = row as (string | number | null)[];
    const parts = [`server process ${pid}`];
    if (app) parts.push(`application "${app}"`);
    if (user) parts.push(`user "${user}"`);
    if (addr) parts.push(`from ${addr}`);
    if (since) parts.push(`connected since ${since}`);
    return 'held by ' + parts.join(', ');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ended = this.client.end().catch(() => {});
    // A dead peer must not keep close() waiting.
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}

/** For tests and messages: the settings a URL resolves to, password left out. */
export function describePostgresUrl(url: string): {
  host: string;
  port: number;
  user: string;
  database: string;
  sslmode: string;
  target: string;
} {
  const s = parseSettings(url);
  return { host: s.host, port: s.port, user: s.user, database: s.database, sslmode: s.sslmode, target: s.target };
}
