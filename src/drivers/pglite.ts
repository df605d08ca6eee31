/**
 * PostgreSQL through PGlite (WebAssembly), in memory or in a directory. Runs in Node and in a browser Web Worker: no
 * Node imports here. The Node-only directory opener with its lock lives in `./node/pglite-dir.ts`.
 *
 * Values: the server driver's, from one table (`./postgres/result-parsers.ts`). PGlite's own parsers would give
 * Dates, parsed JSON and JS arrays: they are replaced.
 *
 * Parameters are sent untyped (PostgreSQL infers their types from the statement) except Uint8Array, sent as bytea.
 * They travel as text: booleans as t/f where a bool is expected, bytes as \x… hex.
 */
import { PGlite, types as pgliteTypes, type PGliteOptions } from '@electric-sql/pglite';
import type { Driver, ExecResult, PreparedStatement, QueryResult, SqlValue } from '../core/driver.ts';
import { DriverBase } from './base.ts';
import { asText, BOOL, BYTEA, RESULT_PARSERS } from './postgres/result-parsers.ts';

type CodedError = Error & { code?: string; detail?: string; hint?: string; position?: string };

function hex(bytes: Uint8Array): string {
  let s = '\\x';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

/** A parameter as the text PostgreSQL reads for the type it inferred. */
function paramText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return String(v);
    default:
      return v instanceof Uint8Array ? hex(v) : String(v);
  }
}

function boolParam(v: unknown): string {
  return typeof v === 'boolean' ? (v ? 't' : 'f') : paramText(v);
}

/**
 * Installs the value mapping on a PGlite instance: replaces its parsers (PGlite registers array parsers during start
 * up, so this happens after it is ready) and makes every serializer plain text, so that e.g. a number meant for a
 * timestamptz column is not turned into a date and a string meant for bytea is not refused.
 */
function installTypeMapping(pg: PGlite): void {
  // A type missing from the instance's map falls back to PGlite's global defaults (Dates, parsed JSON), so every
  // type PGlite knows (the defaults and the array types registered at start up) gets an explicit text parser.
  const parsers: Record<number | string, (text: string) => unknown> = {};
  for (const key of Object.keys(pg.parsers)) parsers[key] = asText;
  for (const key of Object.keys(pgliteTypes.parsers)) parsers[key] = asText;
  pg.parsers = Object.assign(parsers, RESULT_PARSERS);
  const serializers: Record<number | string, (v: unknown) => string> = {};
  for (const key of Object.keys(pg.serializers)) serializers[key] = paramText;
  serializers[BOOL] = boolParam;
  serializers[BYTEA] = paramText;
  pg.serializers = serializers;
}

/** PGlite throws DatabaseError (message + SQLSTATE code); anything else (a bad value) becomes a plain coded Error. */
function toDriverError(e: unknown): CodedError {
  if (!(e instanceof Error)) return Object.assign(new Error(describeThrown(e)), { code: 'XX000' });
  const src = e as CodedError;
  const err: CodedError = new Error(src.message, { cause: e });
  if (typeof src.code === 'string') err.code = src.code;
  if (typeof src.detail === 'string') err.detail = src.detail;
  if (typeof src.hint === 'string') err.hint = src.hint;
  if (typeof src.position === 'string') err.position = src.position;
  return err;
}

/** A thrown value that is not an Error (PGlite's file system throws `{errno}` objects) as words, never [object Object]. */
function describeThrown(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const { message, errno } = e as { message?: unknown; errno?: unknown };
    if (typeof message === 'string' && message) return message;
    if (typeof errno === 'number') return `PGlite's file system failed (errno ${errno})`;
    return 'PGlite failed without a message';
  }
  return String(e);
}

const QUERY_OPTIONS = { rowMode: 'array' as const };

function queryOptions(params: SqlValue[]) {
  for (const p of params) {
    if (p instanceof Uint8Array) {
      return { rowMode: 'array' as const, paramTypes: params.map((v) => (v instanceof Uint8Array ? BYTEA : 0)) };
    }
  }
  return QUERY_OPTIONS;
}

class PglitePrepared implements PreparedStatement {
  constructor(
    private readonly driver: PgliteDriver,
    private readonly sql: string,
  ) {}

  query(params: SqlValue[]): Promise<QueryResult> {
    return this.driver.query(this.sql, params);
  }

  execute(params: SqlValue[]): Promise<ExecResult> {
    return this.driver.executeOne(this.sql, params);
  }

  close(): void {}
}

class PgliteDriver extends DriverBase<Promise<void>> implements Driver {
  readonly engine = 'postgres' as const;
  readonly transactionalDdl = true;

  constructor(
    private readonly pg: PGlite,
    readonly target: string,
  ) {
    super();
  }

  async query(sql: string, params: SqlValue[]): Promise<QueryResult> {
    try {
      const r = await this.pg.query<SqlValue[]>(sql, params, queryOptions(params));
      return { columns: r.fields.map((f) => f.name), rows: r.rows };
    } catch (e) {
      throw toDriverError(e);
    }
  }

  /** One statement through the extended protocol (also for a prepared statement without parameters). */
  async executeOne(sql: string, params: SqlValue[]): Promise<ExecResult> {
    try {
      const r = await this.pg.query(sql, params, queryOptions(params));
      return { rowsAffected: r.affectedRows ?? 0, lastInsertId: null };
    } catch (e) {
      throw toDriverError(e);
    }
  }

  /**
   * With parameters: one statement. Without: the text may hold several (simple protocol, as a script); rowsAffected
   * sums their INSERT/UPDATE/DELETE/MERGE/COPY counts. PostgreSQL has no last insert id: use RETURNING.
   */
  async execute(sql: string, params: SqlValue[]): Promise<ExecResult> {
    if (params.length > 0) return this.executeOne(sql, params);
    try {
      const results = await this.pg.exec(sql);
      return { rowsAffected: results[results.length - 1]?.affectedRows ?? 0, lastInsertId: null };
    } catch (e) {
      throw toDriverError(e);
    }
  }

  /** Parses the statement now, so a bad one fails here; it is parsed again on each use (PGlite keeps no plans). */
  async prepare(sql: string): Promise<PreparedStatement> {
    try {
      await this.pg.describeQuery(sql);
    } catch (e) {
      throw toDriverError(e);
    }
    return new PglitePrepared(this, sql);
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.pg.exec(sql);
    } catch (e) {
      throw toDriverError(e);
    }
  }

  /** A COMMIT of a transaction that an error aborted rolls back instead: that is reported as an error, not success. */
  override async commit(): Promise<void> {
    let results;
    try {
      results = await this.pg.exec('COMMIT');
    } catch (e) {
      throw toDriverError(e);
    }
    if (results[results.length - 1]?.command === 'ROLLBACK') {
      throw Object.assign(new Error('current transaction is aborted: COMMIT rolled it back instead of committing'), {
        code: '25P02',
      });
    }
  }

  /** This instance is the only one using its database (a directory is locked before it is opened). */
  lock(_timeoutMs: number): Promise<() => Promise<void>> {
    return Promise.resolve(() => Promise.resolve());
  }

  isClosed(): boolean {
    return this.pg.closed;
  }

  async close(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
  }
}

/**
 * Opens PGlite in memory (no `dataDir`), in a directory (Node) or browser storage (`idb://…`), optionally starting
 * from a data directory tarball (`loadDataDir`, from `dumpDataDir()`), which skips initdb. `pglite` passes PGlite's
 * own loading options through (the browser worker gives it precompiled wasm modules and its data bundle).
 */
export async function openPglite(
  options: {
    dataDir?: string;
    loadDataDir?: Blob | File;
    pglite?: Pick<PGliteOptions, 'pgliteWasmModule' | 'initdbWasmModule' | 'fsBundle'>;
    /** How messages name the database (an in-memory stand-in for a directory not made yet names that directory). */
    target?: string;
  } = {},
): Promise<Driver> {
  let pg: PGlite;
  try {
    pg = await PGlite.create({
      ...options.pglite,
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir !== undefined ? { loadDataDir: options.loadDataDir } : {}),
    });
  } catch (e) {
    throw toDriverError(e);
  }
  installTypeMapping(pg);
  const target =
    options.target ?? (options.dataDir === undefined ? 'pglite (in memory)' : `pglite directory ${options.dataDir}`);
  return new PgliteDriver(pg, target);
}
