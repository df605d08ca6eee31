/**
 * One file cannot change what the next one sees (docs/security.md): the connection's session state is captured when
 * the runner takes its lock and put back after every migration, whatever the migration did to it.
 *
 * - SQLite: the connection's PRAGMAs are read and the changed ones set back (`foreign_keys`, `recursive_triggers`,
 *   `ignore_check_constraints`, `query_only`, `journal_mode`, `busy_timeout`, …; `case_sensitive_like`, which cannot
 *   be read, is set off as every connection starts), and TEMP tables, views and triggers are dropped.
 * - PostgreSQL: `SET SESSION AUTHORIZATION DEFAULT` / `RESET ROLE` when the user changed, `RESET ALL` (settings and
 *   custom variables), the settings the connection had set for itself again, and `DISCARD TEMP`. Not `DISCARD ALL`:
 *   it would release the run's advisory lock.
 * - MySQL: every session variable that changed is set back, `@variables` a migration set are cleared (MariaDB's
 *   information_schema.USER_VARIABLES), the default database is put back after a `USE`, and the TEMPORARY tables the
 *   migration's statements created are dropped by name (MariaDB before 11.2 cannot list them).
 *
 * A migration may still set any of these for itself (a table rebuild with `PRAGMA foreign_keys = OFF` outside a
 * transaction, `SET statement_timeout`, `SET sql_mode`): they last until it ends.
 */
import type { Driver, SqlValue } from './driver.ts';
import { engineErrorInfo } from './errors.ts';
import { quoteName } from './ledger.ts';

export interface SessionState {
  /**
   * Puts the session back as it was captured. Inside a transaction only what may change there is set back.
   * `temporaryTables`: MySQL's TEMPORARY tables made since, by name (the server cannot list them).
   */
  restore(inTransaction: boolean, temporaryTables?: ReadonlySet<string>): Promise<void>;
}

/** Reads the session state of `driver`'s connection now; `restore` puts it back later. */
export async function captureSession(driver: Driver): Promise<SessionState> {
  if (driver.engine === 'sqlite') return captureSqlite(driver);
  if (driver.engine === 'postgres') return capturePostgres(driver);
  return captureMysql(driver);
}

// ---------------------------------------------------------------------------------------------------------------------
// SQLite

/** The connection's PRAGMAs that can be read back (file properties such as page_size and user_version are the database's). */
const SQLITE_PRAGMAS = [
  'foreign_keys',
  'recursive_triggers',
  'ignore_check_constraints',
  'legacy_alter_table',
  'writable_schema',
  'trusted_schema',
  'query_only',
  'reverse_unordered_selects',
  'automatic_index',
  'cell_size_check',
  'defer_foreign_keys',
  'read_uncommitted',
  'busy_timeout',
  'journal_mode',
  'synchronous',
  'locking_mode',
  'temp_store',
  'cache_size',
  'cache_spill',
  'secure_delete',
  'fullfsync',
  'checkpoint_fullfsync',
  'count_changes',
  'full_column_names',
  'short_column_names',
  'empty_result_callbacks',
  'analysis_limit',
  'max_page_count',
  'journal_size_limit',
  'threads',
  'soft_heap_limit',
  'hard_heap_limit',
] as const;

/** All of them in one statement (their table-valued forms): this runs after every migration. */
const READ_PRAGMAS = `SELECT ${SQLITE_PRAGMAS.map((name) => `(SELECT * FROM pragma_${name})`).join(', ')}`;

async function readPragmas(driver: Driver): Promise<Map<string, SqlValue>> {
  const values = new Map<string, SqlValue>();
  try {
    const row = (await driver.query(READ_PRAGMAS, [])).rows[0];
    SQLITE_PRAGMAS.forEach((name, i) => values.set(name, row[i]));
    return values;
  } catch {
    // A build of SQLite without one of them: one at a time, and the missing one answers nothing.
  }
  for (const name of SQLITE_PRAGMAS) {
    const row = (await driver.query(`PRAGMA ${name}`, [])).rows[0];
    if (row) values.set(name, row[0]);
  }
  return values;
}

function pragmaValue(value: SqlValue): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
}

async function captureSqlite(driver: Driver): Promise<SessionState> {
  const captured = await readPragmas(driver);
  return {
    async restore(inTransaction) {
      const now = await readPragmas(driver);
      for (const [name, value] of captured) {
        if (now.get(name) === value) continue;
        try {
          await driver.exec(`PRAGMA ${name} = ${pragmaValue(value)}`);
        } catch (error) {
          // Inside a transaction some cannot change (synchronous, journal_mode); they are set back after it ends.
          if (!inTransaction) throw error;
        }
      }
      await driver.exec('PRAGMA case_sensitive_like = OFF');
      const temp = await driver.query(
        "SELECT type, name FROM temp.sqlite_master WHERE type IN ('trigger', 'view', 'table') ORDER BY type = 'table'",
        [],
      );
      for (const [type, name] of temp.rows) {
        await driver.exec(`DROP ${String(type).toUpperCase()} IF EXISTS temp.${quoteName('sqlite', String(name))}`);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// PostgreSQL

async function capturePostgres(driver: Driver): Promise<SessionState> {
  const who = async () => (await driver.query('SELECT session_user, current_user', [])).rows[0];
  const [sessionUser, currentUser] = await who();
  // What the connection set for itself (a URL's ?schema=, say): RESET ALL goes back to the server's defaults.
  const own = (await driver.query("SELECT name, setting FROM pg_settings WHERE source = 'session'", [])).rows;
  return {
    async restore(inTransaction) {
      const [nowSession, nowCurrent] = await who();
      if (nowSession !== sessionUser) await driver.exec('SET SESSION AUTHORIZATION DEFAULT');
      if (nowSession !== sessionUser || nowCurrent !== currentUser) await driver.exec('RESET ROLE');
      await driver.exec('RESET ALL');
      // Inside a transaction (a batch) the connection's own settings come back for the transaction only: after it
      // ends, the restore outside it sets them for the session.
      for (const [name, setting] of own) {
        await driver.query('SELECT set_config($1, $2, $3)', [name, setting, inTransaction]);
      }
      await driver.exec('DISCARD TEMP');
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// MySQL / MariaDB

/** Session variables the server changes by itself as statements run. */
const MYSQL_VOLATILE =
  /^(timestamp|rand_seed\d|last_insert_id|insert_id|identity|warning_count|error_count|last_gtid|gtid_seq_no|in_transaction|pseudo_thread_id)$/i;

async function mysqlVariables(driver: Driver): Promise<Map<string, string>> {
  const result = await driver.query(
    'SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.SESSION_VARIABLES',
    [],
  );
  const values = new Map<string, string>();
  for (const [name, value] of result.rows) {
    if (!MYSQL_VOLATILE.test(String(name))) values.set(String(name).toLowerCase(), value === null ? '' : String(value));
  }
  return values;
}

/** The `@variables` of the session (MariaDB); null where the server cannot list them (MySQL). */
async function userVariables(driver: Driver): Promise<Set<string> | null> {
  try {
    const result = await driver.query('SELECT VARIABLE_NAME FROM information_schema.USER_VARIABLES', []);
    return new Set(result.rows.map(([name]) => String(name)));
  } catch {
    return null;
  }
}

/** ER_GLOBAL_VARIABLE, ER_INCORRECT_GLOBAL_LOCAL_VAR: not a variable a session sets. */
const MYSQL_NOT_SESSION = new Set(['ER_GLOBAL_VARIABLE', 'ER_INCORRECT_GLOBAL_LOCAL_VAR']);

function mysqlValue(value: string): string {
  return /^-?\d+(\.\d+)?$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

async function captureMysql(driver: Driver): Promise<SessionState> {
  const variables = await mysqlVariables(driver);
  const users = await userVariables(driver);
  const database = (await driver.query('SELECT DATABASE()', [])).rows[0]?.[0];
  return {
    async restore(_inTransaction, temporaryTables = new Set()) {
      const dropTemporary = async () => {
        for (const name of temporaryTables) await driver.exec(`DROP TEMPORARY TABLE IF EXISTS ${name}`);
      };
      // An unqualified name is in the database that was current when it was made: before or after a USE.
      await dropTemporary();
      if (typeof database === 'string') {
        const now = (await driver.query('SELECT DATABASE()', [])).rows[0]?.[0];
        if (now !== database) {
          await driver.exec(`USE ${quoteName('mysql', database)}`);
          await dropTemporary();
        }
      }
      const now = await mysqlVariables(driver);
      // sql_mode first: the others' quoting is read under it (NO_BACKSLASH_ESCAPES, ANSI_QUOTES).
      const changed = [...variables]
        .filter(([name, value]) => now.get(name) !== value)
        .sort(([a], [b]) => Number(b === 'sql_mode') - Number(a === 'sql_mode'));
      for (const [name, value] of changed) {
        try {
          await driver.exec(`SET SESSION ${name} = ${mysqlValue(value)}`);
        } catch (error) {
          // A global-only variable (changed for the whole server, not by this session) has no session value.
          if (!MYSQL_NOT_SESSION.has(engineErrorInfo(error).code ?? '')) throw error;
        }
      }
      if (users) {
        const set = [...((await userVariables(driver)) ?? [])].filter((name) => !users.has(name));
        if (set.length > 0)
          await driver.exec(`SET ${set.map((name) => `@${quoteName('mysql', name)} = NULL`).join(', ')}`);
      }
    },
  };
}
