/**
 * The guard against statements that destroy or get around the ledger or the run lock without naming them
 * (src/core/sql/ledger-bypass.ts): what is refused in every spelling, and the look-alikes that stay allowed (a
 * DROP SCHEMA of another schema, the timeouts lint recommends). The refusals on real engines are in
 * test/integration/hostile-ledger.test.ts.
 */
import { describe, expect, test } from 'vitest';
import type { Engine } from '../../src/core/driver.ts';
import { ledgerBypass, type LedgerHome } from '../../src/core/sql/ledger-bypass.ts';

const HOME: Record<Engine, LedgerHome> = {
  sqlite: { schema: '', roles: [], label: '_migrations' },
  postgres: { schema: 'public', roles: ['login', 'app'], label: 'public._migrations' },
  mysql: { schema: 'shop', roles: [], label: 'shop._migrations' },
};

const refused: Array<[Engine, string]> = [
  ['postgres', 'DROP SCHEMA public CASCADE'],
  ['postgres', 'drop schema if exists "public" cascade; create schema public'],
  ['postgres', 'DROP SCHEMA other, PUBLIC CASCADE'],
  ['postgres', 'DO $$ BEGIN DROP SCHEMA public CASCADE; END $$'],
  ['postgres', 'CREATE FUNCTION reset() RETURNS void LANGUAGE sql AS $f$ DROP SCHEMA public CASCADE $f$'],
  ['postgres', 'ALTER SCHEMA public RENAME TO old_public'],
  ['postgres', 'DROP OWNED BY CURRENT_USER'],
  ['postgres', 'DROP OWNED BY session_user CASCADE'],
  ['postgres', 'DROP OWNED BY reader, app'],
  ['postgres', 'DROP OWNED BY "login"'],
  ['postgres', 'REASSIGN OWNED BY CURRENT_ROLE TO someone_else'],
  ['postgres', 'SELECT pg_terminate_backend(pg_backend_pid())'],
  ['postgres', 'SELECT pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid(), 1000)'],
  ['postgres', 'SET SESSION AUTHORIZATION other'],
  ['postgres', "SET session_authorization = 'other'"],
  ['postgres', "SELECT set_config('session_authorization', 'other', false)"],
  ['postgres', "SET application_name = 'mine'"],
  ['postgres', "SET LOCAL application_name TO 'mine'"],
  ['postgres', "SELECT set_config('application_name', 'mine', false)"],
  ['postgres', 'RESET application_name'],
  ['postgres', 'RESET ALL'],
  ['postgres', 'DO $$ BEGIN RESET ALL; END $$'],
  ['mysql', 'DROP DATABASE shop'],
  ['mysql', 'DROP SCHEMA IF EXISTS `shop`'],
  ['mysql', 'drop database SHOP'],
  ['mysql', 'CREATE PROCEDURE wipe() BEGIN DROP DATABASE shop; END'],
  ['mysql', "PREPARE s FROM 'DROP DATABASE shop'"],
  ['mysql', 'SET autocommit = 0'],
  ['mysql', 'SET autocommit=1'],
  ['mysql', 'SET SESSION autocommit = OFF'],
  ['mysql', 'SET @@autocommit := 0'],
  ['mysql', 'SET @@session.autocommit = 0'],
  ['mysql', "SET sql_mode = '', autocommit = 0"],
  ['mysql', 'SET completion_type = 2'],
  ['mysql', '/*!40000 SET autocommit = 0 */'],
  ['mysql', 'CREATE PROCEDURE p() BEGIN SET autocommit = 0; END'],
  ['mysql', 'CREATE PROCEDURE p() COMMIT'],
  ['mysql', 'CREATE PROCEDURE p() BEGIN IF 1 THEN COMMIT; END IF; END'],
  ['mysql', 'CREATE DEFINER = CURRENT_USER PROCEDURE p() BEGIN DECLARE EXIT HANDLER FOR SQLEXCEPTION ROLLBACK; END'],
  ['mysql', 'CREATE PROCEDURE p() BEGIN START TRANSACTION; END'],
  ['mysql', 'KILL CONNECTION_ID()'],
  ['mysql', 'KILL CONNECTION CONNECTION_ID()'],
  ['sqlite', 'PRAGMA writable_schema = ON'],
  ['sqlite', 'PRAGMA main.writable_schema = 1'],
  ['sqlite', 'pragma WRITABLE_SCHEMA(1)'],
  ['sqlite', 'PRAGMA schema_version = 7'],
];

const allowed: Array<[Engine, string]> = [
  ['postgres', 'DROP SCHEMA other CASCADE'],
  ['postgres', 'DROP SCHEMA IF EXISTS staging, archive CASCADE'],
  ['postgres', 'ALTER SCHEMA other RENAME TO archive'],
  ['postgres', 'DROP OWNED BY reader'],
  ['postgres', 'REASSIGN OWNED BY old_owner TO app'],
  ['postgres', 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()'],
  ['postgres', "SET lock_timeout = '2s'"],
  ['postgres', "SET LOCAL statement_timeout = '5min'"],
  ['postgres', 'SET search_path TO app, public'],
  ['postgres', "SELECT set_config('search_path', 'app', true)"],
  ['postgres', 'SET ROLE owner_role'],
  ['postgres', 'SET SESSION AUTHORIZATION DEFAULT'],
  ['postgres', 'RESET lock_timeout'],
  ['postgres', 'RESET ROLE'],
  ['postgres', 'UPDATE settings SET application_name = 1'],
  ['postgres', 'ALTER DATABASE app RESET ALL'],
  ['postgres', "ALTER ROLE reporting SET application_name = 'reports'"],
  ['postgres', 'ALTER FUNCTION f() RESET ALL'],
  ['postgres', "INSERT INTO notes (text) VALUES ('DROP SCHEMA public CASCADE')"],
  ['postgres', '-- RESET ALL\nSELECT 1'],
  ['postgres', 'CREATE FUNCTION f() RETURNS void SET search_path = public LANGUAGE sql AS $$ SELECT 1 $$'],
  ['mysql', 'DROP DATABASE other_shop'],
  ['mysql', 'DROP SCHEMA IF EXISTS archive'],
  ['mysql', 'USE other_db'],
  ['mysql', "SET sql_mode = 'ANSI_QUOTES'"],
  ['mysql', 'SET foreign_key_checks = 0'],
  ['mysql', 'UPDATE settings SET autocommit = 1'],
  ['mysql', 'INSERT INTO settings SET autocommit = 1'],
  ['mysql', 'SELECT @@autocommit'],
  ['mysql', 'KILL QUERY 12'],
  ['mysql', 'CREATE PROCEDURE p() BEGIN SAVEPOINT a; ROLLBACK TO SAVEPOINT a; ROLLBACK WORK TO a; END'],
  ['mysql', "CREATE TABLE log (event VARCHAR(20) DEFAULT 'commit')"],
  ['mysql', 'KILL 12'],
  ['sqlite', 'PRAGMA writable_schema'],
  ['sqlite', 'PRAGMA foreign_keys = OFF'],
  ['sqlite', 'SELECT * FROM pragma_schema_version'],
];

describe('refused', () => {
  test.each(refused)('%s: %s', (engine, sql) => {
    expect(ledgerBypass(sql, engine, HOME[engine])).toMatch(/is not allowed in a migration: .*see docs\/security\.md/);
  });
});

describe('allowed', () => {
  test.each(allowed)('%s: %s', (engine, sql) => {
    expect(ledgerBypass(sql, engine, HOME[engine])).toBeNull();
  });
});

test('the messages name the statement, the ledger and what to do instead', () => {
  expect(ledgerBypass('DROP SCHEMA public CASCADE', 'postgres', HOME.postgres)).toBe(
    "DROP SCHEMA public is not allowed in a migration: the schema holds Moonwalk's ledger (public._migrations), which " +
      'would go with it, so every migration would run again next time. Drop the objects you mean by name instead; to ' +
      'start a development database afresh, drop and create it outside the migrations, then run moonwalk up ' +
      '(see docs/security.md)',
  );
  expect(ledgerBypass('SET autocommit = 0', 'mysql', HOME.mysql)).toMatch(
    /^SET autocommit is not allowed in a migration: .* sets options\{ transaction = false \}/,
  );
  expect(ledgerBypass('SELECT pg_terminate_backend(pg_backend_pid())', 'postgres', HOME.postgres)).toMatch(
    /^pg_terminate_backend\(\) on the migration's own connection .* raise an error \(error\("why"\)\)/,
  );
});

test("before the ledger's place is known, what names no schema is still refused and a DROP SCHEMA is not", () => {
  expect(ledgerBypass('DROP SCHEMA public CASCADE', 'postgres', null)).toBeNull();
  expect(ledgerBypass('DROP OWNED BY CURRENT_USER', 'postgres', null)).toMatch(/DROP OWNED BY current_user/);
});
