/**
 * refused-statement: lint reports, before any run, the statements the runner's guard refuses (statement-refusal.ts:
 * own tables, the ledger's indirect bypasses, other files), with the guard's own message, at the Lua line of the
 * call, silenced like any finding.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/driver.ts';
import { lintMigrations, type LintFinding } from '../../src/core/lint/index.ts';
import { statementRefusal } from '../../src/core/sql/statement-refusal.ts';
import { lineOf, lua, luaFor } from '../helpers/lua-files.ts';

/** A migration whose `engine` block's up holds `up` (Lua lines); its down is harmless. */
function migration(engine: string, up: string): string {
  return luaFor(engine as Engine, { up, down: '        db:execute("SELECT 1")' });
}

function refused(source: string): LintFinding[] {
  return lintMigrations([{ file: '0001_refused.lua', source }]).filter((f) => f.code === 'refused-statement');
}

/** What the runner says when it refuses `sql` before it knows where the ledger is. */
function guardMessage(sql: string, engine: Engine): string {
  const message = statementRefusal(sql, engine, null);
  if (message === null) throw new Error(`the guards allow: ${sql}`);
  return message;
}

describe('refused-statement', () => {
  it('sqlite: a write to the ledger and a PRAGMA writable_schema, each an error with the guard message', () => {
    const src = migration(
      'sqlite',
      [
        '        db:execute("CREATE TABLE items (id INTEGER PRIMARY KEY)")',
        '        db:execute("DELETE FROM _migrations WHERE id = ?", { "0001_refused" })',
        '        db:execute([[',
        '          PRAGMA writable_schema = 1;',
        '        ]])',
        '        db:query("SELECT count(*) FROM _migrations")',
      ].join('\n'),
    );
    const findings = refused(src);
    expect(findings.map((f) => [f.severity, f.line])).toEqual([
      ['error', lineOf(src, 'DELETE FROM _migrations')],
      // a statement inside a long string: the line of the call
      ['error', lineOf(src, 'db:execute([[')],
    ]);
    expect(findings[0].message).toContain(guardMessage('DELETE FROM _migrations WHERE id = ?', 'sqlite'));
    expect(findings[1].message).toContain(guardMessage('PRAGMA writable_schema = 1;', 'sqlite'));
    expect(findings[0].message).toMatch(/ Fix: [^\n]+$/);
  });

  it('postgres: releasing the run lock, DROP OWNED BY the own role, SET application_name, a DO block', () => {
    const src = migration(
      'postgres',
      [
        '        db:query("SELECT pg_advisory_unlock_all()")',
        '        db:execute("DROP OWNED BY current_user CASCADE")',
        '        db:execute("SET application_name = \'mine\'")',
        '        db:execute("DO $$ BEGIN UPDATE _migrations_lock SET owner = \'me\'; END $$")',
        '        db:execute("SET search_path = app, public")',
      ].join('\n'),
    );
    expect(refused(src).map((f) => f.line)).toEqual([
      lineOf(src, 'pg_advisory_unlock_all'),
      lineOf(src, 'DROP OWNED'),
      lineOf(src, 'application_name'),
      lineOf(src, 'DO $$'),
    ]);
    expect(refused(src)[1].message).toContain(guardMessage('DROP OWNED BY current_user CASCADE', 'postgres'));
  });

  it("postgres: DROP SCHEMA is left to the runner, which alone knows the ledger's schema", () => {
    const src = migration('postgres', '        db:execute("DROP SCHEMA public CASCADE")');
    expect(refused(src)).toEqual([]);
  });

  it('mysql: SET autocommit, RELEASE_LOCK, a procedure that commits, KILL CONNECTION_ID()', () => {
    const src = migration(
      'mysql',
      [
        '        db:execute("SET autocommit = 0")',
        '        db:query("SELECT RELEASE_LOCK(\'moonwalk\')")',
        '        db:execute("CREATE PROCEDURE p() BEGIN INSERT INTO t VALUES (1); COMMIT; END")',
        '        db:execute("KILL CONNECTION_ID()")',
        '        db:execute("INSERT INTO audit SELECT * FROM _migrations")',
      ].join('\n'),
    );
    expect(refused(src).map((f) => f.line)).toEqual([
      lineOf(src, 'autocommit'),
      lineOf(src, 'RELEASE_LOCK'),
      lineOf(src, 'CREATE PROCEDURE'),
      lineOf(src, 'KILL'),
    ]);
    expect(lintMigrations([{ file: '0001_refused.lua', source: src }]).some((f) => f.severity === 'error')).toBe(true);
  });

  it('a statement that reaches another file, on each engine, with the message the runner gives', () => {
    const cases: Array<[Engine, string]> = [
      ['sqlite', "ATTACH DATABASE 'other.db' AS other"],
      ['postgres', "COPY items TO '/tmp/items.csv'"],
      ['mysql', "SELECT * FROM items INTO OUTFILE '/tmp/items.csv'"],
    ];
    for (const [engine, sql] of cases) {
      const src = migration(engine, `        db:execute(${JSON.stringify(sql)})`);
      const findings = refused(src);
      expect(findings.map((f) => f.line)).toEqual([lineOf(src, 'db:execute(')]);
      expect(findings[0].message).toContain(guardMessage(sql, engine));
      expect(findings[0].message).toContain('reaches a file other than the database');
    }
  });

  it('-- moonwalk:ignore refused-statement silences it, at the end of the line or alone on the line before', () => {
    const src = migration(
      'sqlite',
      [
        '        db:execute("UPDATE _migrations SET checksum = NULL") -- moonwalk:ignore refused-statement',
        '        -- moonwalk:ignore refused-statement',
        '        db:execute("DROP TABLE _migrations_lock")',
        '        db:execute("DELETE FROM _migrations") -- moonwalk:ignore destructive-change',
      ].join('\n'),
    );
    expect(refused(src).map((f) => f.line)).toEqual([lineOf(src, 'DELETE FROM _migrations')]);
  });

  it('a block whose engine is computed: reported when every engine refuses the statement', () => {
    const src = lua({
      engines: ['sqlite', 'postgres'],
      up: [
        '        db:execute("UPDATE _migrations SET checksum = NULL")',
        '        db:execute("SET autocommit = 0")',
      ].join('\n'),
    });
    // SET autocommit is refused on MySQL only: a loop over engines may leave MySQL out.
    expect(refused(src).map((f) => f.line)).toEqual([lineOf(src, 'UPDATE _migrations')]);
  });

  it('a block for an engine lint does not know (database("pg")) is not read with any engine\'s guard', () => {
    const src = migration('pg', '        db:execute("DELETE FROM _migrations")');
    expect(refused(src)).toEqual([]);
  });
});
