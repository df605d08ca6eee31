/**
 * The migration repository (DESIGN §4): table `_migrations` with id, description, applied_at and checksum,
 * compatible with the original runtime's table (a table without `checksum` gets the column added).
 */
import type { Driver, Engine, MaybePromise, SqlValue } from './driver.ts';

export const LEDGER_TABLE = '_migrations';

export interface LedgerEntry {
  id: string;
  description: string;
  /** ISO 8601 where the engine's value allows it. */
  appliedAt: string;
  /** null for rows written by a runtime that kept no checksum. */
  checksum: string | null;
}

/** The ledger's CREATE TABLE per engine (also in the playground's SQL download). */
export const LEDGER_CREATE: Readonly<Record<Engine, string>> = {
  sqlite: `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (id TEXT PRIMARY KEY, description TEXT, applied_at INTEGER NOT NULL DEFAULT (strftime('%s','now')), checksum TEXT)`,
  postgres: `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), checksum TEXT)`,
  mysql: `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (id VARCHAR(255) PRIMARY KEY, description TEXT, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(64))`,
};

const COLUMNS: Record<Engine, string> = {
  sqlite: `SELECT name FROM pragma_table_info('${LEDGER_TABLE}')`,
  postgres: `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${LEDGER_TABLE}'`,
  mysql: `SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '${LEDGER_TABLE}'`,
};

const INSERT: Record<Engine, string> = {
  sqlite: `INSERT INTO ${LEDGER_TABLE} (id, description, applied_at, checksum) VALUES (?, ?, strftime('%s','now'), ?)`,
  postgres: `INSERT INTO ${LEDGER_TABLE} (id, description, applied_at, checksum) VALUES ($1, $2, now(), $3)`,
  mysql: `INSERT INTO ${LEDGER_TABLE} (id, description, applied_at, checksum) VALUES (?, ?, CURRENT_TIMESTAMP, ?)`,
};

const DELETE: Record<Engine, string> = {
  sqlite: `DELETE FROM ${LEDGER_TABLE} WHERE id = ?`,
  postgres: `DELETE FROM ${LEDGER_TABLE} WHERE id = $1`,
  mysql: `DELETE FROM ${LEDGER_TABLE} WHERE id = ?`,
};

export class Ledger {
  constructor(private readonly driver: Driver) {}

  private async columns(): Promise<string[]> {
    const result = await this.driver.query(COLUMNS[this.driver.engine], []);
    return result.rows.map((row) => String(row[0]).toLowerCase());
  }

  /** Creates the table, or adds `checksum` to an older one. Idempotent. */
  async ensure(): Promise<void> {
    const columns = await this.columns();
    if (columns.length === 0) {
      await this.driver.exec(LEDGER_CREATE[this.driver.engine]);
    } else if (!columns.includes('checksum')) {
      const type = this.driver.engine === 'mysql' ? 'VARCHAR(64)' : 'TEXT';
      await this.driver.exec(`ALTER TABLE ${LEDGER_TABLE} ADD COLUMN checksum ${type}`);
    }
  }

  /** Applied migrations ordered by id; empty when the table does not exist yet (nothing is created). */
  async read(): Promise<LedgerEntry[]> {
    const columns = await this.columns();
    if (columns.length === 0) return [];
    const checksum = columns.includes('checksum') ? 'checksum' : 'NULL';
    const result = await this.driver.query(
      `SELECT id, description, applied_at, ${checksum} FROM ${LEDGER_TABLE} ORDER BY id`,
      [],
    );
    return result.rows.map(([id, description, appliedAt, sum]) => ({
      id: String(id),
      description: description === null ? '' : String(description),
      appliedAt: formatAppliedAt(appliedAt),
      checksum: sum === null ? null : String(sum),
    }));
  }

  /** Inside the migration's transaction. */
  record(id: string, description: string, checksum: string): MaybePromise<unknown> {
    return this.driver.execute(INSERT[this.driver.engine], [id, description, checksum]);
  }

  /** Inside the migration's transaction. */
  remove(id: string): MaybePromise<unknown> {
    return this.driver.execute(DELETE[this.driver.engine], [id]);
  }
}

/**
 * ISO 8601 in UTC (`2024-05-01T12:00:00Z`) from what the engines keep: epoch seconds (SQLite, as a number or as
 * digits), PostgreSQL's text (`2024-05-01 12:00:00.123+00`), or SQLite's CURRENT_TIMESTAMP text (UTC, no zone).
 * Anything else is passed through as the engine printed it.
 */
export function formatAppliedAt(value: SqlValue): string {
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return isoSeconds(Number(value) * 1000);
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return isoSeconds(Number(text) * 1000);
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text);
  if (!match) return text;
  const [, date, time, zone] = match;
  const offset =
    !zone || /^z$/i.test(zone) ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${date}T${time.replace(/(\.\d{3})\d+$/, '$1')}${offset}`);
  return Number.isNaN(ms) ? text : isoSeconds(ms);
}

function isoSeconds(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(ms / 1000);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
