/**
 * MySQL and MariaDB over the network, through `mysql2`. Node only.
 *
 * One connection. Statements go through the text protocol (`query`): server-side prepared statements cannot run
 * every statement a migration may contain, so parameters are substituted on the client, escaped, at the `?`
 * placeholders outside string literals, quoted identifiers and comments. `prepare` asks the server to check the
 * statement (COM_STMT_PREPARE, then closes it) so a bad statement fails at prepare time, as on the other engines.
 *
 * URL: `mysql://user:password@host:port/database?ssl-mode=…` (also `mariadb://`). Missing parts: MYSQL_PWD,
 * MYSQL_HOST, MYSQL_TCP_PORT, user = the login name (as the mysql client does). Query parameters: `ssl-mode` or
 * `sslmode` (DISABLED | PREFERRED | REQUIRED | VERIFY_CA | VERIFY_IDENTITY, or the libpq spellings disable / prefer /
 * require / verify-ca / verify-full; default PREFERRED), `ssl-ca` / `sslrootcert`, `ssl-cert` / `sslcert`,
 * `ssl-key` / `sslkey`, `socket` (a Unix socket path), `charset`.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import mysql from 'mysql2/promise';
import type { Driver, ExecResult, PreparedStatement, QueryResult, SqlValue } from '../core/driver.ts';
import { ConnectionError } from './connection-error.ts';
import { decodeUrlPart, maskUrl, parseServerUrl, readFileParam } from './server-url.ts';

export { ConnectionError };

export interface OpenMysqlOptions {
  /** How long connecting (TCP, TLS and authentication) may take before giving up. */
  connectTimeoutMs: number;
}

type SslMode = 'disabled' | 'preferred' | 'required' | 'verify_ca' | 'verify_identity';
const SSL_MODE_NAMES: Record<string, SslMode> = {
  disabled: 'disabled',
  disable: 'disabled',
  preferred: 'preferred',
  prefer: 'preferred',
  allow: 'preferred',
  required: 'required',
  require: 'required',
  verify_ca: 'verify_ca',
  'verify-ca': 'verify_ca',
  verify_identity: 'verify_identity',
  'verify-identity': 'verify_identity',
  'verify-full': 'verify_identity',
};

interface MysqlSettings {
  host: string;
  port: number;
  socketPath: string | undefined;
  user: string;
  password: string | undefined;
  database: string | undefined;
  charset: string | undefined;
  sslmode: SslMode;
  ssl: mysql.SslOptions | undefined;
  target: string;
  where: string;
}

function parseSettings(url: string, env: NodeJS.ProcessEnv = process.env): MysqlSettings {
  const u = parseServerUrl(url, ['mysql:', 'mariadb:'], 'MySQL', 'mysql://user:password@host:port/database');
  const p = u.searchParams;
  const dec = decodeUrlPart;
  const host = dec(u.hostname).replace(/^\[(.*)\]$/, '$1') || env.MYSQL_HOST || 'localhost';
  const portText = u.port || env.MYSQL_TCP_PORT || '3306';
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new ConnectionError(`invalid port ${portText}`, 'EINVAL');
  const socketPath = p.get('socket') ?? undefined;
  const user = dec(u.username) || p.get('user') || os.userInfo().username;
  const password = (u.password ? dec(u.password) : undefined) ?? p.get('password') ?? env.MYSQL_PWD ?? undefined;
  const database = dec(u.pathname.replace(/^\//, '')) || undefined;

  const modeText = (p.get('ssl-mode') ?? p.get('sslmode') ?? p.get('ssl_mode') ?? 'preferred').toLowerCase();
  const sslmode = SSL_MODE_NAMES[modeText];
  if (!sslmode) {
    throw new ConnectionError(
      `invalid ssl-mode "${modeText}" (use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY)`,
      'EINVAL',
    );
  }
  let ssl: mysql.SslOptions | undefined;
  if (sslmode !== 'disabled' && !socketPath) {
    ssl = {};
    const ca = p.get('ssl-ca') ?? p.get('sslrootcert');
    const cert = p.get('ssl-cert') ?? p.get('sslcert');
    const key = p.get('ssl-key') ?? p.get('sslkey');
    if (ca) ssl.ca = readFileParam('ssl-ca', ca);
    if (cert) ssl.cert = readFileParam('ssl-cert', cert);
    if (key) ssl.key = readFileParam('ssl-key', key);
    ssl.rejectUnauthorized = sslmode === 'verify_ca' || sslmode === 'verify_identity';
    ssl.verifyIdentity = sslmode === 'verify_identity';
  }
  return {
    host,
    port,
    socketPath,
    user,
    password,
    database,
    charset: p.get('charset') ?? undefined,
    sslmode,
    ssl,
    target: maskUrl(u),
    where: socketPath ? `${socketPath} (Unix socket)` : `${host}:${port}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Values

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function narrow(n: bigint): number | bigint {
  return n <= MAX_SAFE && n >= MIN_SAFE ? Number(n) : n;
}

interface CastField {
  type: string;
  string(encoding?: string): string | null;
  buffer(): Buffer | null;
}

/** BIGINT exact (number within ±2^53, else bigint), BIT as an unsigned integer, binary data as Uint8Array. */
function typeCast(field: CastField, next: () => unknown): unknown {
  switch (field.type) {
    case 'LONGLONG': {
      const s = field.string('ascii');
      return s === null ? null : narrow(BigInt(s));
    }
    case 'BIT': {
      const b = field.buffer();
      if (b === null) return null;
      let n = 0n;
      for (const byte of b) n = (n << 8n) | BigInt(byte);
      return narrow(n);
    }
    case 'GEOMETRY': {
      const b = field.buffer();
      return b === null ? null : new Uint8Array(b);
    }
    default: {
      const v = next();
      return Buffer.isBuffer(v) ? new Uint8Array(v) : v;
    }
  }
}

/** One value as a MySQL literal. */
function literal(value: SqlValue): string {
  if (value === null || value === undefined) return 'NULL';
  switch (typeof value) {
    case 'boolean':
      return value ? '1' : '0';
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`MySQL has no literal for ${value}: pass NULL or a finite number`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      return mysql.escape(value);
  }
  if (value instanceof Uint8Array)
    return `X'${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}'`;
  throw new Error(`unsupported parameter type ${typeof value}`);
}

/**
 * Replaces each `?` placeholder with its parameter, skipping `'…'`, `"…"` (with backslash escapes and doubled quotes),
 * `` `…` `` identifiers, `-- `, `#` and `/* *\/` comments.
 */
export function substituteParams(sql: string, params: SqlValue[]): string {
  if (params.length === 0 && !sql.includes('?')) return sql;
  let out = '';
  let last = 0;
  let used = 0;
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < n) {
        if (sql[i] === '\\' && c !== '`') {
          i += 2;
        } else if (sql[i] === c) {
          if (sql[i + 1] === c) i += 2;
          else {
            i++;
            break;
          }
        } else i++;
      }
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /[\s\x00-\x1f]/.test(sql[i + 2]!)))) {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '?') {
      if (used >= params.length) {
        throw Object.assign(
          new Error(`the statement has more ? placeholders than the ${params.length} parameter(s) given`),
          {
            code: 'ER_WRONG_ARGUMENTS',
          },
        );
      }
      out += sql.slice(last, i) + literal(params[used++]!);
      i++;
      last = i;
    } else i++;
  }
  if (used !== params.length) {
    throw Object.assign(
      new Error(`the statement has ${used} ? placeholder(s) but ${params.length} parameter(s) were given`),
      {
        code: 'ER_WRONG_ARGUMENTS',
      },
    );
  }
  return used === 0 ? sql : out + sql.slice(last);
}

// ---------------------------------------------------------------------------------------------------------------------

type RawResult = mysql.ResultSetHeader | unknown[][] | (mysql.ResultSetHeader | unknown[][])[];

interface OneResult {
  header: mysql.ResultSetHeader | null;
  rows: SqlValue[][] | null;
  fields: mysql.FieldPacket[] | null;
}

/** mysql2 returns one result, or (multipleStatements) an array of them: tell which, and flatten. */
function splitResults(result: RawResult, fields: unknown): OneResult[] {
  const isHeader = (x: unknown): x is mysql.ResultSetHeader =>
    typeof x === 'object' && x !== null && !Array.isArray(x) && 'affectedRows' in x;
  if (isHeader(result)) return [{ header: result, rows: null, fields: null }];
  const f = Array.isArray(fields) ? fields : [];
  const multi =
    f.length > 0 ? Array.isArray(f[0]) || f[0] === undefined || f[0] === null : result.some((r) => isHeader(r));
  if (!multi) return [{ header: null, rows: result as SqlValue[][], fields: f as mysql.FieldPacket[] }];
  return (result as (mysql.ResultSetHeader | unknown[][])[]).map((r, i) =>
    isHeader(r)
      ? { header: r, rows: null, fields: null }
      : { header: null, rows: r as SqlValue[][], fields: (f[i] as mysql.FieldPacket[] | undefined) ?? [] },
  );
}

function describeConnectFailure(err: unknown): string {
  const e = err as { message?: string; code?: string };
  if (e?.code === 'ETIMEDOUT') return 'no answer within the connect timeout';
  return e?.message ?? String(err);
}

async function connect(
  s: MysqlSettings,
  ssl: mysql.SslOptions | undefined,
  timeoutMs: number,
): Promise<mysql.Connection> {
  let conn: mysql.Connection | null = null;
  let timedOut = false;
  const attempt = mysql.createConnection({
    host: s.host,
    port: s.port,
    socketPath: s.socketPath,
    user: s.user,
    password: s.password,
    database: s.database,
    charset: s.charset,
    ssl,
    connectTimeout: Math.max(1, timeoutMs),
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    multipleStatements: true,
    typeCast: typeCast as unknown as mysql.TypeCast,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(Object.assign(new Error('no answer within the connect timeout'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
  });
  try {
    conn = await Promise.race([attempt, timeout]);
    return conn;
  } finally {
    clearTimeout(timer);
    if (timedOut)
      attempt.then(
        (c) => c.destroy(),
        () => {},
      );
  }
}

export async function openMysql(url: string, options: OpenMysqlOptions): Promise<Driver> {
  const s = parseSettings(url);
  const started = Date.now();
  const timeoutMs = Math.max(1, options.connectTimeoutMs);
  let conn: mysql.Connection;
  try {
    try {
      conn = await connect(s, s.ssl, timeoutMs);
    } catch (err) {
      // PREFERRED: a server without TLS is fine, as with the mysql client
      if (!(s.sslmode === 'preferred' && (err as { code?: unknown })?.code === 'HANDSHAKE_NO_SSL_SUPPORT')) throw err;
      conn = await connect(s, undefined, Math.max(1, timeoutMs - (Date.now() - started)));
    }
  } catch (err) {
    let reason = describeConnectFailure(err);
    if (s.password && s.password.length >= 3) reason = reason.split(s.password).join('***');
    const code = (err as { code?: unknown })?.code;
    throw new ConnectionError(
      `could not connect to MySQL at ${s.where} (${s.database ? `database "${s.database}", ` : ''}user "${s.user}"): ${reason}`,
      typeof code === 'string' ? code : 'ECONNREFUSED',
      err,
    );
  }
  return new MysqlDriver(conn, s);
}

class MysqlDriver implements Driver {
  readonly engine = 'mysql' as const;
  readonly transactionalDdl = false;
  readonly target: string;
  private lost: Error | null = null;
  private closed = false;

  constructor(
    private readonly conn: mysql.Connection,
    private readonly settings: MysqlSettings,
  ) {
    this.target = settings.target;
    conn.on('error', (err: Error) => {
      this.lost ??= err;
    });
    conn.on('end', () => {
      if (!this.closed) this.lost ??= new Error('the server closed the connection');
    });
  }

  private fail(err: unknown): never {
    const e = err as Error & {
      code?: unknown;
      errno?: unknown;
      sqlState?: unknown;
      sqlMessage?: unknown;
      fatal?: unknown;
    };
    if (this.closed) throw new ConnectionError(`the connection to ${this.target} is closed`, 'ECONNCLOSED', err);
    const code = typeof e?.code === 'string' ? e.code : 'UNKNOWN';
    const serverError = e instanceof Error && typeof e.sqlMessage === 'string' && !e.fatal;
    if (!serverError) {
      // fatal: the connection is gone (killed, server down, network) or unusable
      this.lost ??= e instanceof Error ? e : new Error(String(err));
      throw new ConnectionError(`lost the connection to ${this.target}: ${this.lost.message}`, code, err);
    }
    // The server's own message (mysql2 puts it in both `message` and `sqlMessage`), with its code.
    const out = new Error(typeof e.sqlMessage === 'string' ? e.sqlMessage : e.message) as Error & {
      code: string;
      errno?: number;
      sqlState?: string;
    };
    out.code = code;
    if (typeof e.errno === 'number') out.errno = e.errno;
    if (typeof e.sqlState === 'string') out.sqlState = e.sqlState;
    throw out;
  }

  private async run(sql: string, params: SqlValue[]): Promise<OneResult[]> {
    if (this.closed) throw new ConnectionError(`the connection to ${this.target} is closed`, 'ECONNCLOSED');
    if (this.lost)
      throw new ConnectionError(
        `lost the connection to ${this.target}: ${this.lost.message}`,
        'PROTOCOL_CONNECTION_LOST',
      );
    const text = substituteParams(sql, params);
    try {
      const [result, fields] = await this.conn.query({ sql: text, rowsAsArray: true });
      return splitResults(result as RawResult, fields);
    } catch (err) {
      this.fail(err);
    }
  }

  private static toQueryResult(results: OneResult[]): QueryResult {
    const withRows = [...results].reverse().find((r) => r.rows !== null);
    if (!withRows || !withRows.rows) return { columns: [], rows: [] };
    return { columns: (withRows.fields ?? []).map((f) => f.name), rows: withRows.rows };
  }

  private static toExecResult(results: OneResult[]): ExecResult {
    let rowsAffected = 0;
    let lastInsertId: number | bigint | null = null;
    for (const r of results) {
      if (!r.header) continue;
      rowsAffected += r.header.affectedRows;
      const id = r.header.insertId as number | string | bigint | undefined;
      if (id !== undefined && id !== null && id !== 0 && id !== '0') {
        lastInsertId = typeof id === 'number' ? id : narrow(BigInt(id));
      }
    }
    return { rowsAffected, lastInsertId: lastInsertId ?? 0 };
  }

  async query(sql: string, params: SqlValue[]): Promise<QueryResult> {
    return MysqlDriver.toQueryResult(await this.run(sql, params));
  }

  async execute(sql: string, params: SqlValue[]): Promise<ExecResult> {
    return MysqlDriver.toExecResult(await this.run(sql, params));
  }

  async prepare(sql: string): Promise<PreparedStatement> {
    if (this.closed) throw new ConnectionError(`the connection to ${this.target} is closed`, 'ECONNCLOSED');
    // Let the server check the statement now, then let it go: execution uses the text protocol like everything else.
    try {
      const stmt = await this.conn.prepare(sql);
      await stmt.close();
    } catch (err) {
      // 1295 ER_UNSUPPORTED_PS: a statement the prepared-statement protocol cannot carry; it is checked when it runs.
      if ((err as { errno?: unknown }).errno !== 1295) this.fail(err);
    }
    let closed = false;
    const check = (): void => {
      if (closed) throw new Error('the prepared statement is closed');
    };
    return {
      query: async (params) => {
        check();
        return this.query(sql, params);
      },
      execute: async (params) => {
        check();
        return this.execute(sql, params);
      },
      close: () => {
        closed = true;
      },
    };
  }

  /**
   * DDL commits implicitly on MySQL, and with autocommit on every statement after it would then commit on its own.
   * So a migration runs with autocommit off: after an implicit commit the next statement opens a new transaction,
   * which a rollback still undoes (the ledger row among them). COMMIT / ROLLBACK turn autocommit back on, so that
   * reads outside migrations (the ledger, status) see fresh data and leave no transaction open.
   */
  async begin(): Promise<void> {
    await this.run('SET autocommit = 0; START TRANSACTION', []);
  }

  async commit(): Promise<void> {
    await this.run('COMMIT; SET autocommit = 1', []);
  }

  async rollback(): Promise<void> {
    await this.run('ROLLBACK; SET autocommit = 1', []);
  }

  async exec(sql: string): Promise<void> {
    await this.run(sql, []);
  }

  /**
   * The lock name: `moonwalk:<database>` (hashed when longer than MySQL's 64 characters). GET_LOCK names are
   * server-wide, so the database is part of the name: runs against different databases on one server do not block
   * each other (as with PostgreSQL's per-database advisory locks).
   */
  get lockName(): string {
    const name = `moonwalk:${this.settings.database ?? ''}`;
    return name.length <= 64 ? name : 'moonwalk:' + createHash('sha256').update(name).digest('hex').slice(0, 40);
  }

  async lock(timeoutMs: number): Promise<() => Promise<void>> {
    const name = this.lockName;
    const started = Date.now();
    const seconds = Math.max(0, timeoutMs) / 1000;
    const [res] = await this.run('SELECT GET_LOCK(?, ?)', [name, seconds]);
    const got = res?.rows?.[0]?.[0];
    if (got !== 1) {
      const waited = (Date.now() - started) / 1000;
      let holder = '';
      try {
        const [who] = await this.run('SELECT IS_USED_LOCK(?)', [name]);
        const id = who?.rows?.[0]?.[0];
        if (id !== null && id !== undefined) holder = ` (held by connection ${id})`;
      } catch {
        // best effort
      }
      throw Object.assign(
        new Error(
          got === 0
            ? `another moonwalk run holds the lock on ${this.target}; waited ${waited.toFixed(waited < 10 ? 1 : 0)} s${holder}`
            : `could not take the lock on ${this.target}: GET_LOCK returned NULL${holder}`,
        ),
        { code: 'LOCK_TIMEOUT' },
      );
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (this.closed || this.lost) return; // the lock went with the connection
      await this.run('SELECT RELEASE_LOCK(?)', [name]);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.lost) {
      this.conn.destroy();
      return;
    }
    const ended = this.conn.end().catch(() => this.conn.destroy());
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 2000).unref());
    if ((await Promise.race([ended, timeout])) === 'timeout') this.conn.destroy();
  }
}

/** For tests and messages: the settings a URL resolves to, password left out. */
export function describeMysqlUrl(url: string): {
  host: string;
  port: number;
  user: string;
  database: string | undefined;
  sslmode: string;
  target: string;
} {
  const s = parseSettings(url);
  return { host: s.host, port: s.port, user: s.user, database: s.database, sslmode: s.sslmode, target: s.target };
}
