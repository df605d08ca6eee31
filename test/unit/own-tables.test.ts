/**
 * The statement guard for Moonwalk's own tables (src/core/sql/own-tables.ts): writes to the ledger or the lock table,
 * in any spelling each engine accepts, are found; reads and look-alikes are not. The refusals on real engines are in
 * test/integration/hostile-ledger.test.ts.
 */
import { describe, expect, test } from 'vitest';
import type { Engine } from '../../src/core/driver.ts';
import { ownTableWrite } from '../../src/core/sql/own-tables.ts';

const ALL: Engine[] = ['sqlite', 'postgres', 'mysql'];

const writes: Array<[string, Engine[]]> = [
  ['DELETE FROM _migrations', ALL],
  ['delete from _MIGRATIONS where id = 1', ALL],
  ['DELETE FROM "_migrations"', ['sqlite', 'postgres']],
  ['DELETE FROM `_migrations`', ['sqlite', 'mysql']],
  ['DELETE FROM [_migrations]', ['sqlite']],
  ["DELETE FROM '_migrations'", ['sqlite', 'mysql']],
  ['DELETE FROM main._migrations', ['sqlite']],
  ['DELETE FROM main . "_migrations"', ['sqlite']],
  ['DELETE FROM public._migrations', ['postgres']],
  ['DELETE FROM "public"."_migrations"', ['postgres']],
  ['DELETE FROM ONLY _migrations', ['postgres']],
  ['DELETE FROM U&"\\005fmigrations"', ['postgres']],
  ['DELETE FROM U&"!005fmigrations" UESCAPE \'!\'', ['postgres']],
  ['DELETE FROM `moonwalk`.`_migrations`', ['mysql']],
  ['DELETE m FROM _migrations m', ['mysql']],
  ['DELETE LOW_PRIORITY QUICK IGNORE FROM _migrations', ['mysql']],
  ['/*!40000 DELETE FROM _migrations */', ['mysql']],
  ['/* c */ -- d\nDELETE /* x */ FROM _migrations', ALL],
  ['UPDATE _migrations SET checksum = NULL', ALL],
  ['UPDATE OR REPLACE _migrations SET id = 1', ['sqlite']],
  ['UPDATE users JOIN _migrations m ON 1 = 1 SET m.id = 2', ['mysql']],
  ["INSERT INTO _migrations (id) VALUES ('9999_fake')", ALL],
  ["INSERT OR REPLACE INTO _migrations (id) VALUES ('x')", ['sqlite']],
  ["REPLACE INTO _migrations (id) VALUES ('x')", ['sqlite', 'mysql']],
  ["INSERT _migrations (id) VALUES ('x')", ['mysql']],
  ["INSERT INTO _migrations_lock VALUES (1, 'me', now(), now())", ['postgres']],
  ['WITH gone AS (DELETE FROM _migrations RETURNING id) SELECT * FROM gone', ['postgres']],
  ['EXPLAIN ANALYZE DELETE FROM _migrations', ['postgres']],
  ['MERGE INTO _migrations m USING users u ON m.id = u.name WHEN MATCHED THEN DELETE', ['postgres']],
  ['DROP TABLE _migrations', ALL],
  ['drop table if exists users, _migrations', ['postgres', 'mysql']],
  ['ALTER TABLE _migrations ADD COLUMN x INT', ALL],
  ['ALTER TABLE _migrations RENAME TO old_ledger', ALL],
  ['ALTER TABLE users RENAME TO _migrations', ALL],
  ['RENAME TABLE _migrations TO old_ledger', ['mysql']],
  ['TRUNCATE _migrations', ['postgres', 'mysql']],
  ['TRUNCATE TABLE _migrations_lock', ['postgres', 'mysql']],
  ['GRANT SELECT ON _migrations TO PUBLIC', ['postgres']],
  ['REVOKE ALL ON _migrations FROM PUBLIC', ['postgres']],
  ['CREATE TRIGGER t AFTER INSERT ON _migrations BEGIN SELECT 1; END', ['sqlite']],
  ['CREATE TRIGGER t AFTER INSERT ON users BEGIN DELETE FROM _migrations; END', ['sqlite']],
  ['CREATE TRIGGER t AFTER INSERT ON users FOR EACH ROW DELETE FROM _migrations', ['mysql']],
  ['CREATE PROCEDURE p() BEGIN UPDATE _migrations SET id = 1; END', ['mysql']],
  ['CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM _migrations', ['mysql']],
  ['CREATE VIEW v AS SELECT * FROM _migrations', ALL],
  ['CREATE RULE r AS ON INSERT TO users DO ALSO DELETE FROM _migrations', ['postgres']],
  ['CREATE INDEX i ON _migrations (description)', ALL],
  ['CREATE TABLE t (id TEXT REFERENCES _migrations (id))', ALL],
  ['DO $$ BEGIN DELETE FROM _migrations; END $$', ['postgres']],
  ['CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $body$ DELETE FROM public._migrations $body$', ['postgres']],
  ["PREPARE s FROM 'DELETE FROM _migrations'", ['mysql']],
  ['CREATE TABLE a (x INT); DELETE FROM _migrations', ALL],
  ['SELECT pg_advisory_unlock_all()', ['postgres']],
  ['SELECT pg_catalog.pg_advisory_unlock(42)', ['postgres']],
  ['SELECT "pg_advisory_unlock_all"()', ['postgres']],
  ['DISCARD ALL', ['postgres']],
  ["SELECT RELEASE_LOCK('moonwalk:db')", ['mysql']],
  ['DO RELEASE_ALL_LOCKS()', ['mysql']],
];

const allowed: Array<[string, Engine[]]> = [
  ['SELECT * FROM _migrations', ALL],
  ['SELECT id FROM main._migrations ORDER BY id', ['sqlite']],
  ['INSERT INTO audit (id) SELECT id FROM _migrations', ALL],
  ['CREATE TABLE copy AS SELECT * FROM _migrations', ALL],
  ['UPDATE users SET n = (SELECT count(*) FROM _migrations)', ALL],
  ['UPDATE users SET n = 1 FROM _migrations m WHERE m.id = users.name', ['postgres']],
  ['DELETE FROM users WHERE name IN (SELECT id FROM _migrations)', ALL],
  ["INSERT INTO notes (text) VALUES ('DELETE FROM _migrations')", ALL],
  ['-- DELETE FROM _migrations\nSELECT 1', ALL],
  ['DELETE FROM my_migrations', ALL],
  ['DROP TABLE _migrations_old', ALL],
  ['SELECT * FROM _migrations FOR UPDATE', ['postgres', 'mysql']],
  ['SELECT * FROM _migrations FOR NO KEY UPDATE OF _migrations', ['postgres']],
  ['CREATE TABLE t (id INT, p INT REFERENCES parent (id) ON DELETE CASCADE ON UPDATE CASCADE)', ALL],
  ['CREATE TRIGGER t AFTER DELETE ON users BEGIN SELECT 1; END', ['sqlite']],
  ["INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET b = 'x'", ['sqlite', 'postgres']],
  ['INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE b = (SELECT count(*) FROM _migrations)', ['mysql']],
  ["SELECT replace(id, '_', '-') FROM _migrations", ALL],
  ['SELECT pg_advisory_xact_lock(42)', ['postgres']],
  // A table of the same name elsewhere is no write: the runner's ledger is qualified (hostile-harm's item 4).
  ['CREATE TEMP TABLE _migrations (id TEXT)', ['sqlite', 'postgres']],
  ['CREATE TABLE impostor._migrations (id TEXT)', ['postgres', 'mysql']],
  ["SELECT GET_LOCK('mine', 1)", ['mysql']],
  ["DO $$ BEGIN EXECUTE 'DELETE FROM ' || '_migr' || 'ations'; END $$", ['postgres']],
];

describe.each(ALL)('%s', (engine) => {
  test.each(writes.filter(([, engines]) => engines.includes(engine)))('refused: %s', (sql) => {
    expect(ownTableWrite(sql, engine)).toMatch(
      /is not allowed in a migration: it (is Moonwalk's|would release the run lock)/,
    );
  });
  test.each(allowed.filter(([, engines]) => engines.includes(engine)))('allowed: %s', (sql) => {
    expect(ownTableWrite(sql, engine)).toBeNull();
  });
});

test('the message names the table and says that reading it is allowed', () => {
  expect(ownTableWrite('DELETE FROM "_migrations"', 'postgres')).toBe(
    "writing to _migrations is not allowed in a migration: it is Moonwalk's ledger, which only the runner writes " +
      '(reading it with db:query is allowed; see docs/security.md)',
  );
});
