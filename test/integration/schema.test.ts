import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { openSqlJs, type SqlJsDriver } from '../../src/drivers/sqljs.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { takeSnapshot } from '../../src/core/schema/snapshot.ts';
import { diffSnapshots } from '../../src/core/schema/diff.ts';
import { renderDiff } from '../../src/core/schema/render-diff.ts';
import type { SchemaSnapshot, TableSnapshot } from '../../src/core/schema/types.ts';

// ---------------------------------------------------------------------------------------------------------------
// SQLite

const SQLITE_SCHEMA = `
CREATE TABLE _migrations (id TEXT PRIMARY KEY, description TEXT, applied_at INTEGER, checksum TEXT);
CREATE INDEX _migrations_applied ON _migrations (applied_at);
CREATE TRIGGER _migrations_guard BEFORE DELETE ON _migrations BEGIN SELECT 1; END;
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  name varchar(40) NOT NULL DEFAULT 'anon' COLLATE NOCASE,
  age INT CONSTRAINT age_positive CHECK (age > 0),
  created_at TEXT DEFAULT CURRENT_TIMESTAMP,
  display TEXT GENERATED ALWAYS AS (name || ' <' || email || '>') VIRTUAL,
  CHECK (length(email)   >   3) -- at least a@b.c, nearly
);
CREATE TABLE slugs (value TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE posts (
  id INTEGER NOT NULL,
  author_id INTEGER REFERENCES users ON DELETE CASCADE,
  slug TEXT,
  body TEXT,
  word_count INTEGER AS (length(body)) STORED,
  PRIMARY KEY (id, slug),
  UNIQUE (author_id, slug),
  FOREIGN KEY (slug) REFERENCES slugs (value) ON UPDATE SET NULL
);
CREATE INDEX posts_body_lower ON posts (lower(body) DESC, author_id) WHERE body IS NOT NULL;
CREATE UNIQUE INDEX users_name_age ON users (name, age DESC);
CREATE VIEW active_users AS SELECT id, email FROM users WHERE age > 17;
CREATE TRIGGER users_touch AFTER UPDATE OF email ON users BEGIN UPDATE users SET created_at = CURRENT_TIMESTAMP WHERE id = new.id; END;
INSERT INTO _migrations (id, description, applied_at) VALUES ('0001_init', 'init', 0);
INSERT INTO users (email, name, age) VALUES ('ada@example.com', 'Ada', 36);
`;

const SQLITE_USERS: TableSnapshot = {
  name: 'users',
  columns: [
    { name: 'id', type: 'INTEGER', nullable: true, default: null, primary_key: true },
    { name: 'email', type: 'TEXT', nullable: false, default: null, primary_key: false },
    { name: 'name', type: 'varchar(40)', nullable: false, default: "'anon'", primary_key: false, collation: 'NOCASE' },
    { name: 'age', type: 'INT', nullable: true, default: null, primary_key: false },
    { name: 'created_at', type: 'TEXT', nullable: true, default: 'CURRENT_TIMESTAMP', primary_key: false },
    {
      name: 'display',
      type: 'TEXT',
      nullable: true,
      default: null,
      primary_key: false,
      generated: { expression: "name || ' <' || email || '>'", stored: false },
    },
  ],
  primary_key: { columns: ['id'] },
  unique_constraints: [{ columns: ['email'] }],
  indexes: [{ name: 'users_name_age', columns: ['name COLLATE NOCASE', 'age DESC'], unique: true }],
  foreign_keys: [],
  checks: [{ expression: 'length(email) > 3' }, { name: 'age_positive', expression: 'age > 0' }],
  rows: 1,
};

const SQLITE_POSTS: TableSnapshot = {
  name: 'posts',
  columns: [
    { name: 'id', type: 'INTEGER', nullable: false, default: null, primary_key: true },
    { name: 'author_id', type: 'INTEGER', nullable: true, default: null, primary_key: false },
    { name: 'slug', type: 'TEXT', nullable: true, default: null, primary_key: true },
    { name: 'body', type: 'TEXT', nullable: true, default: null, primary_key: false },
    {
      name: 'word_count',
      type: 'INTEGER',
      nullable: true,
      default: null,
      primary_key: false,
      generated: { expression: 'length(body)', stored: true },
    },
  ],
  primary_key: { columns: ['id', 'slug'] },
  unique_constraints: [{ columns: ['author_id', 'slug'] }],
  indexes: [
    {
      name: 'posts_body_lower',
      columns: ['lower(body) DESC', 'author_id'],
      unique: false,
      predicate: 'body IS NOT NULL',
    },
  ],
  foreign_keys: [
    {
      columns: ['author_id'],
      references: { table: 'users', columns: ['id'] },
      on_update: 'NO ACTION',
      on_delete: 'CASCADE',
    },
    {
      columns: ['slug'],
      references: { table: 'slugs', columns: ['value'] },
      on_update: 'SET NULL',
      on_delete: 'NO ACTION',
    },
  ],
  checks: [],
  rows: 0,
};

const SQLITE_SLUGS: TableSnapshot = {
  name: 'slugs',
  columns: [{ name: 'value', type: 'TEXT', nullable: false, default: null, primary_key: true }],
  primary_key: { columns: ['value'] },
  unique_constraints: [],
  indexes: [],
  foreign_keys: [],
  checks: [],
  rows: 0,
};

const SQLITE_EXPECTED: SchemaSnapshot = {
  engine: 'sqlite',
  tables: [SQLITE_POSTS, SQLITE_SLUGS, SQLITE_USERS],
  views: [
    { name: 'active_users', definition: 'CREATE VIEW active_users AS SELECT id, email FROM users WHERE age > 17' },
  ],
  triggers: [
    {
      name: 'users_touch',
      table: 'users',
      definition:
        'CREATE TRIGGER users_touch AFTER UPDATE OF email ON users BEGIN UPDATE users SET created_at = CURRENT_TIMESTAMP WHERE id = new.id; END',
    },
  ],
};

async function sqlite(script = SQLITE_SCHEMA): Promise<SqlJsDriver> {
  const driver = await openSqlJs();
  driver.execute(script, []);
  return driver;
}

/** Snapshots before and after `change`, on a fresh copy of the schema. */
async function sqliteChange(change: string, options = {}): Promise<{ before: SchemaSnapshot; after: SchemaSnapshot }> {
  const driver = await sqlite();
  try {
    const before = await takeSnapshot(driver, options);
    driver.execute(change, []);
    const after = await takeSnapshot(driver, options);
    return { before, after };
  } finally {
    await driver.close();
  }
}

describe('schema snapshot on SQLite (sql.js)', () => {
  it('reads every object kind', async () => {
    const driver = await sqlite();
    expect(await takeSnapshot(driver)).toEqual(SQLITE_EXPECTED);
    await driver.close();
  });

  it('leaves out the ledger and SQLite’s own objects', async () => {
    const driver = await sqlite();
    const names = driver.query(`SELECT name FROM sqlite_schema ORDER BY name`, []).rows.map((r) => r[0]);
    expect(names).toEqual(
      expect.arrayContaining(['_migrations', '_migrations_applied', '_migrations_guard', 'sqlite_sequence']),
    );
    expect(names.some((n) => String(n).startsWith('sqlite_autoindex_'))).toBe(true);
    const json = JSON.stringify(await takeSnapshot(driver, { fingerprint: true }));
    expect(json).not.toMatch(/_migrations|sqlite_/);
    await driver.close();
  });

  it('gives the same JSON for the same database, whatever order it was built in', async () => {
    const a = await sqlite();
    const statements = SQLITE_SCHEMA.split(/;\n(?=CREATE|INSERT)/);
    // Tables before what depends on them; otherwise reversed.
    const tables = statements.filter((s) => s.trimStart().startsWith('CREATE TABLE')).reverse();
    const rest = statements.filter((s) => !s.trimStart().startsWith('CREATE TABLE')).reverse();
    const b = await sqlite([...tables, ...rest].join(';\n'));
    const first = JSON.stringify(await takeSnapshot(a));
    expect(JSON.stringify(await takeSnapshot(a))).toBe(first);
    expect(JSON.stringify(await takeSnapshot(b))).toBe(first);
    await a.close();
    await b.close();
  });

  it('fingerprints the data, row order ignored', async () => {
    const rows = ["(1, 'a', 1.5, x'00ff', NULL)", "(2, 'b', 2, NULL, 9007199254740993)", "(3, 'c', -0.25, x'', 0)"];
    const make = async (values: string[]): Promise<string> => {
      const driver = await sqlite(`CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, r REAL, b BLOB, big INTEGER);
        INSERT INTO t VALUES ${values.join(', ')};`);
      const snapshot = await takeSnapshot(driver, { fingerprint: true });
      await driver.close();
      expect(snapshot.tables[0].rows).toBe(values.length);
      return snapshot.tables[0].fingerprint!;
    };
    const f = await make(rows);
    expect(f).toMatch(/^[0-9a-f]{16}$/);
    expect(await make([...rows].reverse())).toBe(f);
    expect(await make([rows[0], rows[1].replace("'b'", "'B'"), rows[2]])).not.toBe(f);
    expect(await make([rows[0], rows[1].replace('9007199254740993', '9007199254740992'), rows[2]])).not.toBe(f);
  });

  it('counts rows of many tables (300)', async () => {
    let script = '';
    for (let i = 0; i < 300; i++) {
      script += `CREATE TABLE t${String(i).padStart(3, '0')} (id INTEGER PRIMARY KEY, v TEXT UNIQUE);\n`;
      if (i % 7 === 0) script += `INSERT INTO t${String(i).padStart(3, '0')} (v) VALUES ('x'), ('y');\n`;
    }
    const driver = await sqlite(script);
    const snapshot = await takeSnapshot(driver);
    expect(snapshot.tables).toHaveLength(300);
    expect(snapshot.tables[0].name).toBe('t000');
    expect(snapshot.tables[299].name).toBe('t299');
    expect(snapshot.tables.filter((t) => t.rows === 2)).toHaveLength(43);
    await driver.close();
  });
});

describe('schema diff on SQLite (sql.js)', () => {
  it('add column', async () => {
    const { before, after } = await sqliteChange(`ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT ''`);
    expect(diffSnapshots(before, after)).toEqual([
      {
        kind: 'column_added',
        path: ['users', 'bio'],
        after: { name: 'bio', type: 'TEXT', nullable: false, default: "''", primary_key: false },
      },
    ]);
  });

  it('drop index', async () => {
    const { before, after } = await sqliteChange(`DROP INDEX posts_body_lower`);
    expect(diffSnapshots(before, after)).toEqual([
      { kind: 'index_removed', path: ['posts', 'posts_body_lower'], before: SQLITE_POSTS.indexes[0] },
    ]);
  });

  it('rename table (ALTER TABLE … RENAME TO), foreign keys of other tables following it', async () => {
    const { before, after } = await sqliteChange(`ALTER TABLE slugs RENAME TO permalinks`);
    expect(after.tables.find((t) => t.name === 'posts')!.foreign_keys[1].references.table).toBe('permalinks');
    expect(diffSnapshots(before, after)).toEqual([
      { kind: 'table_renamed', path: ['permalinks'], before: 'slugs', after: 'permalinks' },
    ]);
  });

  it('rename a table that a view and a trigger use', async () => {
    const { before, after } = await sqliteChange(`ALTER TABLE users RENAME TO members`);
    const changes = diffSnapshots(before, after);
    expect(changes.map((c) => [c.kind, ...c.path])).toEqual([
      ['table_renamed', 'members'],
      ['trigger_changed', 'members', 'users_touch'],
      ['view_changed', 'active_users'],
    ]);
  });

  it('rename column', async () => {
    const { before, after } = await sqliteChange(`ALTER TABLE slugs RENAME COLUMN value TO slug`);
    expect(diffSnapshots(before, after)).toEqual([
      { kind: 'column_renamed', path: ['slugs', 'slug'], before: 'value', after: 'slug' },
      // SQLite rewrites posts' reference; it is read under the new name, hence no fk change.
    ]);
  });

  it('changed default (table rebuilt)', async () => {
    const { before, after } = await sqliteChange(`
      CREATE TABLE slugs_new (value TEXT PRIMARY KEY DEFAULT 'untitled') WITHOUT ROWID;
      INSERT INTO slugs_new SELECT value FROM slugs;
      DROP TABLE slugs;
      ALTER TABLE slugs_new RENAME TO slugs;`);
    expect(diffSnapshots(before, after)).toEqual([
      {
        kind: 'column_changed',
        path: ['slugs', 'value'],
        before: SQLITE_SLUGS.columns[0],
        after: { ...SQLITE_SLUGS.columns[0], default: "'untitled'" },
      },
    ]);
  });

  it('seeded row: row count and fingerprint', async () => {
    const { before, after } = await sqliteChange(`INSERT INTO slugs VALUES ('hello')`, { fingerprint: true });
    const changes = diffSnapshots(before, after);
    expect(changes).toEqual([
      { kind: 'rows_changed', path: ['slugs'], before: 0, after: 1 },
      { kind: 'data_changed', path: ['slugs'], before: expect.any(String), after: expect.any(String) },
    ]);
    expect(renderDiff(changes)).toMatch(
      /^~ table slugs\n {2}~ rows: 0 → 1\n {2}~ data changed \(fingerprint [0-9a-f]{16} → [0-9a-f]{16}\)$/,
    );
  });

  it('an update that keeps the row count shows as data_changed only', async () => {
    const { before, after } = await sqliteChange(`UPDATE users SET age = age + 1`, { fingerprint: true });
    expect(diffSnapshots(before, after).map((c) => c.kind)).toEqual(['data_changed']);
  });

  it('up then down leaves no difference, data included', async () => {
    const { before, after } = await sqliteChange(
      `ALTER TABLE users ADD COLUMN bio TEXT; CREATE INDEX users_bio ON users (bio);
       INSERT INTO slugs VALUES ('tmp');
       DELETE FROM slugs; DROP INDEX users_bio; ALTER TABLE users DROP COLUMN bio;`,
      { fingerprint: true },
    );
    expect(diffSnapshots(before, after)).toEqual([]);
  });

  it('renders a real diff', async () => {
    const { before, after } = await sqliteChange(`
      ALTER TABLE users ADD COLUMN bio TEXT;
      DROP INDEX posts_body_lower;
      CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
      DROP VIEW active_users;`);
    expect(renderDiff(diffSnapshots(before, after))).toBe(
      [
        '~ table posts',
        '  - index posts_body_lower (lower(body) DESC, author_id) WHERE body IS NOT NULL',
        '+ table tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL)',
        '~ table users',
        '  + column bio TEXT',
        '- view active_users',
      ].join('\n'),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

const PG_SCHEMA = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE SCHEMA audit;
CREATE TABLE audit.events (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload jsonb);
CREATE TABLE _migrations (id text PRIMARY KEY, description text, applied_at timestamptz DEFAULT now(), checksum text, n serial);
CREATE INDEX _migrations_at ON _migrations (applied_at);
CREATE SEQUENCE invoice_numbers START 1000 INCREMENT 10;
CREATE TABLE users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name varchar(40) NOT NULL DEFAULT 'anon' COLLATE "C",
  mood mood DEFAULT 'ok',
  age integer CONSTRAINT age_positive CHECK (age > 0),
  ticket integer GENERATED ALWAYS AS IDENTITY,
  display text GENERATED ALWAYS AS (name || ' <' || email || '>') STORED,
  CHECK (length(email) > 3)
);
CREATE TABLE posts (
  id integer NOT NULL,
  slug text NOT NULL,
  author_id integer REFERENCES users ON DELETE CASCADE,
  parent_id integer,
  body text,
  tags text[],
  PRIMARY KEY (id, slug),
  CONSTRAINT posts_author_slug UNIQUE (author_id, slug),
  FOREIGN KEY (parent_id, slug) REFERENCES posts (id, slug) ON UPDATE RESTRICT
);
CREATE INDEX posts_body_lower ON posts (lower(body) DESC, author_id NULLS FIRST) INCLUDE (slug) WHERE body IS NOT NULL;
CREATE INDEX posts_tags ON posts USING gin (tags);
CREATE UNIQUE INDEX users_name_age ON users (name, age DESC);
CREATE VIEW active_users AS SELECT id, email FROM users WHERE age > 17;
CREATE MATERIALIZED VIEW post_counts AS SELECT author_id, count(*) AS n FROM posts GROUP BY author_id;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := lower(NEW.name); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER migrations_touch BEFORE UPDATE ON _migrations FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO _migrations (id, description) VALUES ('0001_init', 'init');
INSERT INTO users (email, name, age) VALUES ('ada@example.com', 'Ada', 36);
`;

const PG_EVENTS: TableSnapshot = {
  name: 'events',
  schema: 'audit',
  columns: [
    {
      name: 'id',
      type: 'bigint',
      nullable: false,
      default: "nextval('audit.events_id_seq'::regclass)",
      primary_key: true,
    },
    { name: 'at', type: 'timestamp with time zone', nullable: false, default: 'now()', primary_key: false },
    { name: 'payload', type: 'jsonb', nullable: true, default: null, primary_key: false },
  ],
  primary_key: { name: 'events_pkey', columns: ['id'] },
  unique_constraints: [],
  indexes: [],
  foreign_keys: [],
  checks: [],
  rows: 0,
};

const PG_POSTS: TableSnapshot = {
  name: 'posts',
  schema: 'public',
  columns: [
    { name: 'id', type: 'integer', nullable: false, default: null, primary_key: true },
    { name: 'slug', type: 'text', nullable: false, default: null, primary_key: true },
    { name: 'author_id', type: 'integer', nullable: true, default: null, primary_key: false },
    { name: 'parent_id', type: 'integer', nullable: true, default: null, primary_key: false },
    { name: 'body', type: 'text', nullable: true, default: null, primary_key: false },
    { name: 'tags', type: 'text[]', nullable: true, default: null, primary_key: false },
  ],
  primary_key: { name: 'posts_pkey', columns: ['id', 'slug'] },
  unique_constraints: [{ name: 'posts_author_slug', columns: ['author_id', 'slug'] }],
  indexes: [
    {
      name: 'posts_body_lower',
      columns: ['lower(body) DESC', 'author_id NULLS FIRST'],
      unique: false,
      predicate: 'body IS NOT NULL',
      include: ['slug'],
    },
    { name: 'posts_tags', columns: ['tags'], unique: false, method: 'gin' },
  ],
  foreign_keys: [
    {
      name: 'posts_author_id_fkey',
      columns: ['author_id'],
      references: { table: 'users', schema: 'public', columns: ['id'] },
      on_update: 'NO ACTION',
      on_delete: 'CASCADE',
    },
    {
      name: 'posts_parent_id_slug_fkey',
      columns: ['parent_id', 'slug'],
      references: { table: 'posts', schema: 'public', columns: ['id', 'slug'] },
      on_update: 'RESTRICT',
      on_delete: 'NO ACTION',
    },
  ],
  checks: [],
  rows: 0,
};

const PG_USERS: TableSnapshot = {
  name: 'users',
  schema: 'public',
  columns: [
    { name: 'id', type: 'integer', nullable: false, default: "nextval('users_id_seq'::regclass)", primary_key: true },
    { name: 'email', type: 'text', nullable: false, default: null, primary_key: false },
    {
      name: 'name',
      type: 'character varying(40)',
      nullable: false,
      default: "'anon'::character varying",
      primary_key: false,
      collation: 'C',
    },
    { name: 'mood', type: 'mood', nullable: true, default: "'ok'::mood", primary_key: false },
    { name: 'age', type: 'integer', nullable: true, default: null, primary_key: false },
    { name: 'ticket', type: 'integer', nullable: false, default: null, primary_key: false, identity: 'always' },
    {
      name: 'display',
      type: 'text',
      nullable: true,
      default: null,
      primary_key: false,
      generated: { expression: "((name::text || ' <'::text) || email) || '>'::text", stored: true },
    },
  ],
  primary_key: { name: 'users_pkey', columns: ['id'] },
  unique_constraints: [{ name: 'users_email_key', columns: ['email'] }],
  indexes: [{ name: 'users_name_age', columns: ['name', 'age DESC'], unique: true }],
  foreign_keys: [],
  checks: [
    { name: 'age_positive', expression: 'age > 0' },
    { name: 'users_email_check', expression: 'length(email) > 3' },
  ],
  rows: 1,
};

const PG_EXPECTED: SchemaSnapshot = {
  engine: 'postgres',
  tables: [PG_EVENTS, PG_POSTS, PG_USERS],
  views: [
    { name: 'active_users', schema: 'public', definition: ' SELECT id,\n    email\n   FROM users\n  WHERE age > 17;' },
    {
      name: 'post_counts',
      schema: 'public',
      definition: ' SELECT author_id,\n    count(*) AS n\n   FROM posts\n  GROUP BY author_id;',
      materialized: true,
    },
  ],
  triggers: [
    {
      name: 'users_touch',
      schema: 'public',
      table: 'users',
      definition: 'CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()',
    },
  ],
  sequences: [
    {
      name: 'invoice_numbers',
      schema: 'public',
      type: 'bigint',
      start: '1000',
      increment: '10',
      min: '1',
      max: '9223372036854775807',
      cycle: false,
    },
  ],
  enums: [{ name: 'mood', schema: 'public', values: ['sad', 'ok', 'happy'] }],
  functions: [
    {
      name: 'touch()',
      schema: 'public',
      definition:
        'CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\n' +
        'AS $function$ BEGIN NEW.name := lower(NEW.name); RETURN NEW; END $function$\n',
    },
  ],
};

describe('schema snapshot and diff on PostgreSQL (PGlite)', () => {
  let pg: Driver;

  beforeAll(async () => {
    pg = await openPglite();
  });
  afterAll(async () => {
    await pg?.close();
  });
  beforeEach(async () => {
    const schemas = await pg.query(
      `SELECT nspname FROM pg_namespace
       WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'`,
      [],
    );
    for (const [name] of schemas.rows) await pg.execute(`DROP SCHEMA "${String(name)}" CASCADE`, []);
    await pg.execute(`CREATE SCHEMA public; ${PG_SCHEMA}`, []);
  });

  async function change(sql: string, options = {}): Promise<{ before: SchemaSnapshot; after: SchemaSnapshot }> {
    const before = await takeSnapshot(pg, options);
    await pg.execute(sql, []);
    const after = await takeSnapshot(pg, options);
    return { before, after };
  }

  it('reads every object kind in every user schema', async () => {
    expect(await takeSnapshot(pg)).toEqual(PG_EXPECTED);
  });

  it('leaves out the ledger, its sequence, index and trigger', async () => {
    const json = JSON.stringify(await takeSnapshot(pg, { fingerprint: true }));
    expect(json).not.toMatch(/_migrations|migrations_touch|pg_catalog|information_schema/);
    // The serial/identity sequences exist but show only as defaults/identity.
    const sequences = await pg.query(`SELECT relname FROM pg_class WHERE relkind = 'S' ORDER BY relname`, []);
    expect(sequences.rows.map((r) => r[0])).toEqual([
      '_migrations_n_seq',
      'events_id_seq',
      'invoice_numbers',
      'users_id_seq',
      'users_ticket_seq',
    ]);
  });

  it('gives the same JSON each time', async () => {
    const first = JSON.stringify(await takeSnapshot(pg, { fingerprint: true }));
    expect(JSON.stringify(await takeSnapshot(pg, { fingerprint: true }))).toBe(first);
  });

  it('fingerprints the data, row order ignored', async () => {
    const fingerprint = async (): Promise<string> =>
      (await takeSnapshot(pg, { fingerprint: true })).tables.find((t) => t.name === 'events')!.fingerprint!;
    await pg.execute(
      `INSERT INTO audit.events (id, at, payload) VALUES (1, '2020-01-01Z', '{"a": [1, 2]}'), (2, '2021-01-01Z', NULL)`,
      [],
    );
    const f = await fingerprint();
    await pg.execute(`DELETE FROM audit.events`, []);
    await pg.execute(
      `INSERT INTO audit.events (id, at, payload) VALUES (2, '2021-01-01Z', NULL), (1, '2020-01-01Z', '{"a": [1, 2]}')`,
      [],
    );
    expect(await fingerprint()).toBe(f);
    await pg.execute(`UPDATE audit.events SET payload = '{"a": [2, 1]}' WHERE id = 1`, []);
    expect(await fingerprint()).not.toBe(f);
  });

  it('add column', async () => {
    const { before, after } = await change(`ALTER TABLE audit.events ADD COLUMN source text NOT NULL DEFAULT 'app'`);
    expect(diffSnapshots(before, after)).toEqual([
      {
        kind: 'column_added',
        path: ['audit.events', 'source'],
        after: { name: 'source', type: 'text', nullable: false, default: "'app'::text", primary_key: false },
      },
    ]);
  });

  it('drop index', async () => {
    const { before, after } = await change(`DROP INDEX posts_tags`);
    expect(diffSnapshots(before, after)).toEqual([
      { kind: 'index_removed', path: ['posts', 'posts_tags'], before: PG_POSTS.indexes[1] },
    ]);
  });

  it('rename table (ALTER TABLE … RENAME TO)', async () => {
    const { before, after } = await change(`ALTER TABLE audit.events RENAME TO happenings`);
    expect(diffSnapshots(before, after)).toEqual([
      { kind: 'table_renamed', path: ['audit.happenings'], before: 'audit.events', after: 'audit.happenings' },
    ]);
  });

  it('rename a table that others reference, and one that references itself', async () => {
    const { before, after } = await change(`ALTER TABLE users RENAME TO members; ALTER TABLE posts RENAME TO articles`);
    expect(diffSnapshots(before, after).map((c) => [c.kind, ...c.path])).toEqual([
      ['table_renamed', 'articles'],
      ['table_renamed', 'members'],
      ['trigger_changed', 'members', 'users_touch'],
      ['view_changed', 'active_users'],
      ['view_changed', 'post_counts'],
    ]);
  });

  it('changed default', async () => {
    const { before, after } = await change(`ALTER TABLE users ALTER COLUMN mood SET DEFAULT 'happy'`);
    expect(diffSnapshots(before, after)).toEqual([
      {
        kind: 'column_changed',
        path: ['users', 'mood'],
        before: PG_USERS.columns[3],
        after: { ...PG_USERS.columns[3], default: "'happy'::mood" },
      },
    ]);
  });

  it('seeded row: row count and fingerprint', async () => {
    const { before, after } = await change(`INSERT INTO audit.events (payload) VALUES ('{}')`, { fingerprint: true });
    expect(diffSnapshots(before, after)).toEqual([
      { kind: 'rows_changed', path: ['audit.events'], before: 0, after: 1 },
      { kind: 'data_changed', path: ['audit.events'], before: expect.any(String), after: expect.any(String) },
    ]);
  });

  it('enums, sequences, functions, checks, unique constraints, foreign keys', async () => {
    await pg.execute(`ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'`, []);
    const before = await takeSnapshot(pg);
    await pg.execute(`ALTER TYPE mood ADD VALUE 'glad'`, []);
    await pg.execute(
      `ALTER SEQUENCE invoice_numbers INCREMENT 5;
       CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
       ALTER TABLE users DROP CONSTRAINT age_positive, ADD CONSTRAINT age_sane CHECK (age BETWEEN 0 AND 150);
       ALTER TABLE posts DROP CONSTRAINT posts_author_slug;
       ALTER TABLE posts DROP CONSTRAINT posts_author_id_fkey,
         ADD CONSTRAINT posts_author_id_fkey FOREIGN KEY (author_id) REFERENCES users ON DELETE SET NULL;`,
      [],
    );
    const after = await takeSnapshot(pg);
    const changes = diffSnapshots(before, after);
    expect(changes.map((c) => [c.kind, ...c.path])).toEqual([
      ['unique_removed', 'posts', 'posts_author_slug'],
      ['fk_removed', 'posts', 'posts_author_id_fkey'],
      ['fk_added', 'posts', 'posts_author_id_fkey'],
      ['check_removed', 'users', 'age_positive'],
      ['check_added', 'users', 'age_sane'],
      ['sequence_changed', 'invoice_numbers'],
      ['enum_changed', 'mood'],
      ['function_changed', 'touch()'],
    ]);
    expect(changes.find((c) => c.kind === 'enum_changed')!.after).toEqual({
      name: 'mood',
      schema: 'public',
      values: ['sad', 'meh', 'ok', 'happy', 'glad'],
    });
    expect(renderDiff(changes)).toBe(
      [
        '~ table posts',
        '  - unique posts_author_slug (author_id, slug)',
        '  - foreign key posts_author_id_fkey (author_id) → users (id) ON DELETE CASCADE',
        '  + foreign key posts_author_id_fkey (author_id) → users (id) ON DELETE SET NULL',
        '~ table users',
        '  - check age_positive (age > 0)',
        '  + check age_sane (age >= 0 AND age <= 150)',
        '~ sequence invoice_numbers: increment 10 → 5',
        '~ enum mood: (sad, meh, ok, happy) → (sad, meh, ok, happy, glad)',
        '~ function touch(): …AS $function$ BEGIN NEW.name := lower(NEW.name); RETURN NEW;… → …AS $function$ BEGIN RETURN NEW; END $function$',
      ].join('\n'),
    );
  });

  it('up then down leaves no difference, data included', async () => {
    const { before, after } = await change(
      `ALTER TABLE posts ADD COLUMN draft boolean NOT NULL DEFAULT true;
       CREATE INDEX posts_draft ON posts (draft) WHERE draft;
       CREATE TABLE audit.tmp (id int);
       INSERT INTO audit.events (id, payload) VALUES (42, '[]');
       DELETE FROM audit.events WHERE id = 42;
       DROP TABLE audit.tmp;
       DROP INDEX posts_draft;
       ALTER TABLE posts DROP COLUMN draft;`,
      { fingerprint: true },
    );
    expect(diffSnapshots(before, after)).toEqual([]);
  });
});
