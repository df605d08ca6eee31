import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { openMysql } from '../../src/drivers/mysql/open.ts';
import { takeSnapshot } from '../../src/core/schema/snapshot.ts';
import { diffSnapshots } from '../../src/core/schema/diff.ts';
import type { ColumnSnapshot, TableSnapshot } from '../../src/core/schema/types.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';

const SCHEMA = [
  `CREATE TABLE _migrations (id VARCHAR(100) PRIMARY KEY, applied_at BIGINT)`,
  `CREATE TRIGGER _migrations_guard BEFORE DELETE ON _migrations FOR EACH ROW SET @x = 1`,
  `CREATE TABLE users (
     id INT NOT NULL AUTO_INCREMENT,
     email VARCHAR(100) NOT NULL,
     name VARCHAR(40) NOT NULL DEFAULT 'anon',
     note VARCHAR(20) DEFAULT NULL,
     tag VARCHAR(10) DEFAULT 'it''s',
     score INT NOT NULL DEFAULT 0 CHECK (score >= 0),
     age INT,
     created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
     display VARCHAR(200) AS (CONCAT(name, ' <', email, '>')) VIRTUAL,
     PRIMARY KEY (id),
     CONSTRAINT users_email_key UNIQUE (email),
     CONSTRAINT age_positive CHECK (age > 0)
   ) ENGINE=InnoDB`,
  `CREATE INDEX users_name_age ON users (name(10), age)`,
  `CREATE UNIQUE INDEX users_name_tag ON users (name, tag)`,
  `CREATE TABLE posts (
     id INT NOT NULL,
     author_id INT,
     slug VARCHAR(50) NOT NULL,
     body TEXT,
     PRIMARY KEY (id, slug),
     KEY posts_author (author_id),
     CONSTRAINT posts_author_fk FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE ON UPDATE SET NULL
   ) ENGINE=InnoDB`,
  `CREATE VIEW adults AS SELECT id, email FROM users WHERE age > 17`,
  `CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW SET NEW.created_at = CURRENT_TIMESTAMP`,
  `INSERT INTO _migrations VALUES ('0001_init', 0)`,
  `INSERT INTO users (email, name, age) VALUES ('ada@example.com', 'Ada', 36)`,
];

let server: TestServer;
let driver: Driver;

beforeAll(async () => {
  server = await useServer('mysql');
  const url = await scratchDatabase(server, 'schema_mysql');
  driver = await openMysql(url, { connectTimeoutMs: 10_000 });
  for (const sql of SCHEMA) await driver.execute(sql, []);
});

afterAll(async () => {
  await driver?.close();
  await server?.stop();
});

const col = (name: string, type: string, extra: Partial<ColumnSnapshot> = {}): ColumnSnapshot => ({
  name,
  type,
  nullable: true,
  default: null,
  primary_key: false,
  ...extra,
});

const USERS: TableSnapshot = {
  name: 'users',
  columns: [
    col('id', 'int(11)', { nullable: false, primary_key: true, identity: 'by default' }),
    col('email', 'varchar(100)', { nullable: false }),
    col('name', 'varchar(40)', { nullable: false, default: "'anon'" }),
    col('note', 'varchar(20)'),
    col('tag', 'varchar(10)', { default: "'it''s'" }),
    col('score', 'int(11)', { nullable: false, default: '0' }),
    col('age', 'int(11)'),
    col('created_at', 'timestamp', { nullable: false, default: 'current_timestamp()' }),
    col('display', 'varchar(200)', { generated: { expression: "concat(`name`,' <',`email`,'>')", stored: false } }),
  ],
  primary_key: { columns: ['id'] },
  // every plain unique index is a constraint on MySQL, CREATE UNIQUE INDEX included
  unique_constraints: [
    { name: 'users_email_key', columns: ['email'] },
    { name: 'users_name_tag', columns: ['name', 'tag'] },
  ],
  indexes: [{ name: 'users_name_age', columns: ['name(10)', 'age'], unique: false }],
  foreign_keys: [],
  // MariaDB lists the column-level check too, named after its column
  checks: [
    { name: 'age_positive', expression: '`age` > 0' },
    { name: 'score', expression: '`score` >= 0' },
  ],
  rows: 1,
};

const POSTS: TableSnapshot = {
  name: 'posts',
  columns: [
    col('id', 'int(11)', { nullable: false, primary_key: true }),
    col('author_id', 'int(11)'),
    col('slug', 'varchar(50)', { nullable: false, primary_key: true }),
    col('body', 'text'),
  ],
  primary_key: { columns: ['id', 'slug'] },
  unique_constraints: [],
  indexes: [{ name: 'posts_author', columns: ['author_id'], unique: false }],
  foreign_keys: [
    {
      name: 'posts_author_fk',
      columns: ['author_id'],
      references: { table: 'users', columns: ['id'] },
      on_update: 'SET NULL',
      on_delete: 'CASCADE',
    },
  ],
  checks: [],
  rows: 0,
};

describe('MySQL/MariaDB schema snapshot', () => {
  it('reads tables, columns, keys, indexes, foreign keys, checks, views and triggers; leaves out _migrations', async () => {
    const snap = await takeSnapshot(driver);
    expect(snap.engine).toBe('mysql');
    expect(snap.tables.map((t) => t.name)).toEqual(['posts', 'users']);
    expect(snap.tables).toEqual([POSTS, USERS]);
    expect(snap.views).toEqual([
      {
        name: 'adults',
        definition: 'select `users`.`id` AS `id`,`users`.`email` AS `email` from `users` where `users`.`age` > 17',
      },
    ]);
    expect(snap.triggers).toEqual([
      {
        name: 'users_touch',
        table: 'users',
        definition:
          'CREATE TRIGGER `users_touch` BEFORE UPDATE ON `users` FOR EACH ROW SET NEW.created_at = CURRENT_TIMESTAMP',
      },
    ]);
    expect(snap.sequences).toBeUndefined();
    expect(JSON.stringify(snap)).not.toContain('_migrations');
  });

  it('is deterministic', async () => {
    const a = await takeSnapshot(driver, { fingerprint: true });
    const b = await takeSnapshot(driver, { fingerprint: true });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(diffSnapshots(a, b)).toEqual([]);
  });

  it('diffSnapshots shows an added column and a dropped index', async () => {
    const before = await takeSnapshot(driver);
    await driver.execute(`ALTER TABLE users ADD COLUMN nickname VARCHAR(30) DEFAULT 'x'`, []);
    await driver.execute(`DROP INDEX users_name_age ON users`, []);
    const after = await takeSnapshot(driver);
    const changes = diffSnapshots(before, after);
    expect(changes.map((c) => ({ kind: c.kind, path: c.path }))).toEqual(
      expect.arrayContaining([
        { kind: 'column_added', path: ['users', 'nickname'] },
        { kind: 'index_removed', path: ['users', 'users_name_age'] },
      ]),
    );
    expect(changes).toHaveLength(2);
    expect(changes.find((c) => c.kind === 'column_added')?.after).toEqual(
      col('nickname', 'varchar(30)', { default: "'x'" }),
    );
  });

  it('fingerprints change when a row changes, row counts do not', async () => {
    const before = await takeSnapshot(driver, { fingerprint: true });
    await driver.execute(`UPDATE users SET age = 37 WHERE email = 'ada@example.com'`, []);
    const after = await takeSnapshot(driver, { fingerprint: true });
    const users = (s: typeof before): TableSnapshot => s.tables.find((t) => t.name === 'users')!;
    expect(users(after).fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(users(after).fingerprint).not.toBe(users(before).fingerprint);
    expect(users(after).rows).toBe(1);
    const posts = (s: typeof before): TableSnapshot => s.tables.find((t) => t.name === 'posts')!;
    expect(posts(after).fingerprint).toBe(posts(before).fingerprint);
    expect(diffSnapshots(before, after).map((c) => c.kind)).toEqual(['data_changed']);
  });
});
