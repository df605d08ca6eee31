/**
 * Issue 11 items 2 and 4 on the real PostgreSQL and MariaDB servers of the test run: no statement of migration code
 * reaches a file (or a program, a library, the server's configuration) besides the database, and the ledger cannot be
 * shadowed. The runner refuses what it can read in the statement, even for a superuser, who the server itself would
 * let through; what dynamic SQL spells is left to the role's privileges, and the ordinary test role is refused by the
 * server (docs/security.md says which privileges that takes). Each case checks that nothing was written.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { openDatabase } from '../../src/drivers/node/open-database.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { column } from '../helpers/db-inspect.ts';
import { migration, smallHost } from '../helpers/migration.ts';

const opened: Driver[] = [];
const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(opened.map((d) => d.close().catch(() => {})));
  await Promise.all(servers.map((s) => s.stop()));
});

async function open(url: string): Promise<Driver> {
  const driver = await openDatabase(url, { connectTimeoutMs: 5000 });
  opened.push(driver);
  return driver;
}

/** `url` with the admin's user and password (a superuser / a user with FILE and SUPER), same database. */
function asAdmin(server: TestServer, url: string): string {
  const admin = new URL(server.adminUrl!);
  const target = new URL(url);
  target.username = admin.username;
  target.password = admin.password;
  return target.toString();
}

async function up(driver: Driver, files: Record<string, string>) {
  const migrator = new Migrator({
    driver,
    host: smallHost(),
    files: migrationFiles(Object.entries(files).map(([name, text]) => ({ name, text }))),
  });
  try {
    return { result: await migrator.up(), status: await migrator.status() };
  } finally {
    migrator.dispose();
  }
}

/** A file name no test wrote yet, in a folder nobody may write to but the server's own user. */
let fileCounter = 0;
const outsideFile = () => `/tmp/moonwalk-escape-${process.pid}-${++fileCounter}.txt`;

const REFUSED = /is not allowed in a migration: it reaches a file other than the database/;

async function count(driver: Driver, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await column(driver, sql, params as never[]))[0]);
}

async function ledger(driver: Driver, table: string): Promise<string[]> {
  return (await column(driver, `SELECT id FROM ${table} ORDER BY id`)).map(String);
}

// ---------------------------------------------------------------------------------------------------------------------

describe('PostgreSQL server', () => {
  let server: TestServer;
  let url: string;
  let user: Driver;
  let superuser: Driver;
  beforeAll(async () => {
    server = await useServer('postgres');
    servers.push(server);
    url = await scratchDatabase(server, 'hostile');
    user = await open(url);
    superuser = await open(asAdmin(server, url));
    await user.exec('CREATE TABLE IF NOT EXISTS target (line text)');
  });

  const refusedAsText: Array<[string, (file: string) => string]> = [
    ['COPY TO a file', (f) => `COPY (SELECT 1) TO '${f}'`],
    ['COPY FROM a file', () => `COPY target FROM '/etc/hostname'`],
    ['COPY TO PROGRAM', (f) => `COPY (SELECT 1) TO PROGRAM 'touch ${f}'`],
    ['COPY FROM PROGRAM', (f) => `COPY target FROM PROGRAM 'touch ${f}'`],
    ['pg_read_file()', () => `SELECT pg_read_file('/etc/hostname')`],
    ['pg_ls_dir()', () => `SELECT pg_ls_dir('/')`],
    ['lo_import()', () => `SELECT lo_import('/etc/hostname')`],
    ['lo_export()', (f) => `SELECT lo_export(lo_create(0), '${f}')`],
    ['CREATE EXTENSION file_fdw', () => 'CREATE EXTENSION IF NOT EXISTS file_fdw'],
    ['CREATE EXTENSION dblink', () => 'CREATE EXTENSION "dblink"'],
    ['ALTER SYSTEM', () => "ALTER SYSTEM SET work_mem = '1MB'"],
    ['LOAD', () => "LOAD 'auto_explain'"],
    ['CREATE TABLESPACE', (f) => `CREATE TABLESPACE escape LOCATION '${f}'`],
    ['a function in C', () => "CREATE FUNCTION evil() RETURNS int AS '/tmp/evil.so', 'evil' LANGUAGE c"],
  ];

  test.each(refusedAsText)('%s is refused by the runner, even for a superuser', async (_name, statement) => {
    const file = outsideFile();
    const sql = statement(file);
    const { result } = await up(superuser, {
      '0001_escape.lua': migration(`assert(db:execute(${JSON.stringify(sql)}))`),
    });
    expect(result.ok).toBe(false);
    expect(result.error?.message).toMatch(REFUSED);
    expect(result.error?.sql).toBe(sql);
    expect(fs.existsSync(file)).toBe(false);
    expect(await count(superuser, 'SELECT count(*) FROM target')).toBe(0);
    expect(await count(superuser, "SELECT count(*) FROM pg_extension WHERE extname IN ('file_fdw', 'dblink')")).toBe(0);
    expect(
      await count(
        superuser,
        "SELECT count(*) FROM pg_file_settings WHERE name = 'work_mem' AND sourcefile LIKE '%auto.conf'",
      ),
    ).toBe(0);
    expect(await count(superuser, "SELECT count(*) FROM pg_tablespace WHERE spcname = 'escape'")).toBe(0);
    expect(await ledger(superuser, 'public._migrations')).toEqual([]);
  });

  test.each([
    [
      'COPY TO a file',
      (f: string) => `EXECUTE 'COPY (SELECT 1) TO ' || quote_literal('${f}')`,
      /pg_write_server_files|superuser/,
    ],
    [
      'COPY TO PROGRAM',
      (f: string) => `EXECUTE 'COPY (SELECT 1) TO PROGRAM ' || quote_literal('touch ${f}')`,
      /pg_execute_server_program|superuser/,
    ],
    ['pg_read_file()', () => `PERFORM pg_read_file('/etc/hostname')`, /permission denied for function pg_read_file/],
    ['lo_import()', () => `PERFORM lo_import('/etc/hostname')`, /permission denied for function lo_import/],
  ])('%s spelled by dynamic SQL is refused by the privileges of an ordinary role', async (_name, body, denied) => {
    const file = outsideFile();
    const sql = `DO $$ BEGIN ${body(file)}; END $$`;
    // A database of the ordinary role's own (the superuser's tests above made their ledger in the other one).
    const db = await open(await scratchDatabase(server, 'dynamic'));
    const { result } = await up(db, { '0001_dynamic.lua': migration(`assert(db:execute(${JSON.stringify(sql)}))`) });
    expect(result.ok).toBe(false);
    expect(result.error?.message).toMatch(denied);
    expect(fs.existsSync(file)).toBe(false);
    expect(await ledger(db, 'public._migrations')).toEqual([]);
  });

  test('item 4: a TEMP _migrations or a search_path to a schema with its own never receives the records', async () => {
    const db = await open(await scratchDatabase(server, 'shadow'));
    const files = {
      '0001_shadow.lua': migration(`
        assert(db:execute("CREATE TEMP TABLE _migrations (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ, checksum TEXT)"))
        assert(db:execute("CREATE SCHEMA impostor"))
        assert(db:execute("CREATE TABLE impostor._migrations (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ, checksum TEXT)"))
        assert(db:execute("SET search_path TO impostor"))`),
      '0002_next.lua': migration(`
        assert(db:execute("CREATE TEMP TABLE _migrations (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ, checksum TEXT)"))
        assert(db:execute("SET search_path TO impostor, public"))
        assert(db:execute("CREATE TABLE public.next_one (x int)"))`),
    };
    const { result } = await up(db, files);
    expect(result.error).toBeNull();
    expect(await ledger(db, 'public._migrations')).toEqual(['0001_shadow', '0002_next']);
    expect(await ledger(db, 'impostor._migrations')).toEqual([]);
    const again = await up(db, files);
    expect(again.result.error).toBeNull();
    expect(again.result.results).toEqual([]);
    expect(again.status.migrations.map((m) => m.status)).toEqual(['applied', 'applied']);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('MariaDB server', () => {
  let server: TestServer;
  let url: string;
  let user: Driver;
  let admin: Driver;
  beforeAll(async () => {
    server = await useServer('mysql');
    servers.push(server);
    url = await scratchDatabase(server, 'hostile');
    user = await open(url);
    admin = await open(asAdmin(server, url));
    await user.exec('CREATE TABLE IF NOT EXISTS target (line TEXT)');
  });

  const refusedAsText: Array<[string, (file: string) => string]> = [
    ['SELECT … INTO OUTFILE', (f) => `SELECT 1 INTO OUTFILE '${f}'`],
    ['SELECT … INTO DUMPFILE', (f) => `SELECT 'x' INTO DUMPFILE '${f}'`],
    ['LOAD DATA INFILE', () => `LOAD DATA INFILE '/etc/hostname' INTO TABLE target`],
    ['LOAD DATA LOCAL INFILE', () => `LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE target`],
    ['LOAD XML', () => `LOAD XML INFILE '/etc/hostname' INTO TABLE target`],
    ['LOAD_FILE()', () => `INSERT INTO target SELECT LOAD_FILE('/etc/hostname')`],
    ['INSTALL SONAME', () => `INSTALL SONAME 'ha_archive'`],
    ['INSTALL PLUGIN', () => `INSTALL PLUGIN archive SONAME 'ha_archive'`],
    ['CREATE FUNCTION … SONAME', () => `CREATE FUNCTION evil RETURNS STRING SONAME 'evil.so'`],
    ['SET GLOBAL general_log_file', (f) => `SET GLOBAL general_log_file = '${f}'`],
    ['SET @@global.slow_query_log_file', (f) => `SET @@global.slow_query_log_file = '${f}'`],
  ];

  test.each(refusedAsText)(
    '%s is refused by the runner, even for a user with FILE and SUPER',
    async (_name, statement) => {
      const file = outsideFile();
      const sql = statement(file);
      const { result } = await up(admin, {
        '0001_escape.lua': migration(`assert(db:execute(${JSON.stringify(sql)}))`),
      });
      expect(result.ok).toBe(false);
      expect(result.error?.message).toMatch(REFUSED);
      expect(fs.existsSync(file)).toBe(false);
      expect(await count(admin, 'SELECT count(*) FROM target')).toBe(0);
      expect(await count(admin, "SELECT count(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ARCHIVE'")).toBe(
        0,
      );
      expect(await count(admin, 'SELECT count(*) FROM mysql.func')).toBe(0);
      expect(
        await count(
          admin,
          "SELECT @@GLOBAL.general_log_file LIKE '/tmp/moonwalk-escape-%' OR @@GLOBAL.slow_query_log_file LIKE '/tmp/moonwalk-escape-%'",
        ),
      ).toBe(0);
      expect(await ledger(admin, '_migrations')).toEqual([]);
    },
  );

  test('SELECT … INTO OUTFILE spelled by PREPARE is refused by the privileges of an ordinary user (no FILE)', async () => {
    const file = outsideFile();
    const { result } = await up(user, {
      '0001_dynamic.lua': migration(`
        assert(db:execute("PREPARE s FROM CONCAT('SELECT 1 INTO OUT', 'FILE ''${file}''')"))
        assert(db:execute("EXECUTE s"))`),
    });
    expect(result.ok).toBe(false);
    expect(result.error?.message).toMatch(/FILE privilege/);
    expect(fs.existsSync(file)).toBe(false);
    expect(await ledger(user, '_migrations')).toEqual([]);
  });

  test('item 4: a TEMPORARY _migrations, or USE of a database with its own, never receives the records', async () => {
    const mine = await scratchDatabase(server, 'shadow');
    const other = new URL(await scratchDatabase(server, 'shadow_other')).pathname.slice(1);
    const db = await open(mine);
    const files = {
      '0001_shadow.lua': migration(`
        assert(db:execute("CREATE TABLE ${other}._migrations (id VARCHAR(255) PRIMARY KEY, description TEXT, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(64))"))
        assert(db:execute("CREATE TEMPORARY TABLE _migrations (id VARCHAR(255) PRIMARY KEY, description TEXT, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(64))"))
        assert(db:execute("USE ${other}"))`),
      '0002_next.lua': migration(`
        assert(db:execute("CREATE TEMPORARY TABLE _migrations (id VARCHAR(255) PRIMARY KEY, description TEXT, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(64))"))
        assert(db:execute("CREATE TABLE next_one (x INT)"))`),
    };
    const { result } = await up(db, files);
    expect(result.error).toBeNull();
    const database = new URL(mine).pathname.slice(1);
    expect(await ledger(db, `\`${database}\`._migrations`)).toEqual(['0001_shadow', '0002_next']);
    expect(await ledger(db, `\`${other}\`._migrations`)).toEqual([]);
    expect(
      await column(db, 'SELECT table_schema FROM information_schema.tables WHERE table_name = ?', ['next_one']),
    ).toEqual([database]);
    const again = await up(db, files);
    expect(again.result.error).toBeNull();
    expect(again.result.results).toEqual([]);
    expect(again.status.migrations.map((m) => m.status)).toEqual(['applied', 'applied']);
  });
});
