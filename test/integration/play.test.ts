/**
 * `moonwalk play` (DESIGN §5, issue 13 item 6) over HTTP, as the built command: it serves the built playground on
 * 127.0.0.1 with its token; refuses a request without the token, from another Origin or for another Host; Save writes
 * a page's edit into the folder, reports a file changed on disk as a conflict and writes nothing then, and refuses
 * names with `../`, slashes and symbolic links out of the folder; `--from` a better-sqlite3 file gives its bytes and
 * `--from` the harness's PostgreSQL server a dump the page's loader takes (on PGlite, with a note of rows left out);
 * a missing folder, a port in use and a bad --from are clear errors (exit 2).
 */
import { request } from 'node:http';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scratchDatabase, useServer } from '../harness/global-servers.ts';
import { makeOwnSqlite, OWN_FILES } from '../helpers/own-database.ts';
import { failPlay, startPlay, type PlayProcess } from '../helpers/play-process.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { loadSqlDump } from '../../src/core/dump-load.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { openDatabase } from '../../src/drivers/node/open-database.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-play-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request with exactly these headers (fetch would not let a test set Host). */
function call(
  play: PlayProcess,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: play.port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const api = (play: PlayProcess) => ({ 'x-moonwalk-token': play.token });

function folderWith(files: Array<{ name: string; text: string }>): string {
  const dir = mkdtempSync(join(tmp, 'migrations-'));
  for (const f of files) writeFileSync(join(dir, f.name), f.text);
  return dir;
}

async function session(play: PlayProcess) {
  const answer = await call(play, '/api/session', { headers: api(play) });
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as {
    folder: string;
    files: Array<{ name: string; text: string; version: string }>;
    baseline: { kind: string; name: string; engine: string; notes: string[] } | null;
  };
}

function save(play: PlayProcess, files: Array<{ name: string; text: string; base: string | null }>) {
  return call(play, '/api/save', {
    method: 'POST',
    headers: { ...api(play), 'content-type': 'application/json', origin: play.origin },
    body: JSON.stringify({ files }),
  });
}

describe('moonwalk play over a folder', () => {
  let play: PlayProcess;
  let dir: string;
  beforeAll(async () => {
    dir = folderWith(OWN_FILES);
    play = await startPlay(['--dir', dir]);
  });
  afterAll(() => play?.stop());

  test('prints its address first, on 127.0.0.1 with a token, and serves the built playground there', async () => {
    expect(play.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{20,}$/);
    const page = await call(play, `/?token=${play.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    // The address with the token lets the page's own files in by a cookie for this port only.
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain(`moonwalk_play_${play.port}=${play.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(asset).toBeDefined();
    const withCookie = await call(play, `/${asset}`, { headers: { cookie: cookie.split(';')[0] } });
    expect(withCookie.status).toBe(200);
    expect(withCookie.headers['content-type']).toMatch(/javascript/);
  });

  test("the folder's .lua files, with the version of each", async () => {
    const { files, baseline } = await session(play);
    expect(files.map((f) => f.name)).toEqual(OWN_FILES.map((f) => f.name));
    expect(files[0].text).toBe(OWN_FILES[0].text);
    expect(files[0].version).toMatch(/^[0-9a-f]{16}$/);
    expect(baseline).toBeNull();
  });

  test('refuses a request without the token, from another Origin, or for another Host', async () => {
    expect((await call(play, '/')).status).toBe(403);
    expect((await call(play, '/api/session')).status).toBe(403);
    expect((await call(play, '/?token=wrong-token-wrong-token')).status).toBe(403);
    const evil = await call(play, '/api/session', { headers: { ...api(play), origin: 'http://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatch(/other sites/);
    const rebound = await call(play, `/?token=${play.token}`, { headers: { host: `evil.example:${play.port}` } });
    expect(rebound.status).toBe(403);
    // The cookie lets the page's files in, not its calls: those carry the token in their header.
    const cookieOnly = await call(play, '/api/session', {
      headers: { cookie: `moonwalk_play_${play.port}=${play.token}` },
    });
    expect(cookieOnly.status).toBe(403);
    // A save from another site writes nothing.
    const before = readFileSync(join(dir, OWN_FILES[0].name), 'utf8');
    const { files } = await session(play);
    const forged = await call(play, '/api/save', {
      method: 'POST',
      headers: { ...api(play), 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ files: [{ name: OWN_FILES[0].name, text: 'x', base: files[0].version }] }),
    });
    expect(forged.status).toBe(403);
    expect(readFileSync(join(dir, OWN_FILES[0].name), 'utf8')).toBe(before);
  });

  test("a page's edit saved lands in the folder; a new file is written too", async () => {
    const { files } = await session(play);
    const edited = `${files[1].text}-- edited in the page\n`;
    const answer = await save(play, [
      { name: files[1].name, text: edited, base: files[1].version },
      { name: '0003_new.lua', text: '-- new\n', base: null },
    ]);
    expect(answer.status, answer.body).toBe(200);
    expect(readFileSync(join(dir, files[1].name), 'utf8')).toBe(edited);
    expect(readFileSync(join(dir, '0003_new.lua'), 'utf8')).toBe('-- new\n');
    const saved = (JSON.parse(answer.body) as { saved: Array<{ name: string; version: string }> }).saved;
    expect(saved.find((f) => f.name === files[1].name)?.version).not.toBe(files[1].version);
    await expect.poll(() => play.output()).toContain(`Saved ${files[1].name}, 0003_new.lua to ${dir}`);
  });

  test('a file changed on disk since the page read it is a conflict, and nothing is written', async () => {
    const { files } = await session(play);
    const disk = `${files[0].text}-- edited on disk\n`;
    writeFileSync(join(dir, files[0].name), disk);
    const answer = await save(play, [
      { name: files[0].name, text: `${files[0].text}-- edited in the page\n`, base: files[0].version },
      { name: '0004_other.lua', text: '-- other\n', base: null },
    ]);
    expect(answer.status).toBe(409);
    const body = JSON.parse(answer.body) as {
      conflicts: Array<{ name: string; message: string; onDisk: { text: string } }>;
    };
    expect(body.conflicts).toHaveLength(1);
    expect(body.conflicts[0].message).toBe(`${files[0].name} was changed on disk since the page read it`);
    expect(body.conflicts[0].onDisk.text).toBe(disk);
    expect(readFileSync(join(dir, files[0].name), 'utf8')).toBe(disk);
    expect(existsSync(join(dir, '0004_other.lua'))).toBe(false);
    // A file made on disk under the name of one new in the page is a conflict too.
    writeFileSync(join(dir, '0005_both.lua'), '-- disk\n');
    const both = await save(play, [{ name: '0005_both.lua', text: '-- page\n', base: null }]);
    expect(both.status).toBe(409);
    expect(readFileSync(join(dir, '0005_both.lua'), 'utf8')).toBe('-- disk\n');
  });

  test('refuses names with ../, slashes, a leading dot or another extension, and links out of the folder', async () => {
    const outside = join(tmp, 'outside.lua');
    writeFileSync(outside, '-- outside\n');
    symlinkSync(outside, join(dir, '0009_link.lua'));
    for (const name of ['../escape.lua', '..\\escape.lua', 'sub/x.lua', '.hidden.lua', 'notes.txt', '/etc/x.lua']) {
      const answer = await save(play, [{ name, text: '-- x\n', base: null }]);
      expect(answer.status, name).toBe(400);
      expect(answer.body, name).toMatch(/only \.lua files directly inside the folder/);
    }
    expect(existsSync(join(dir, '..', 'escape.lua'))).toBe(false);
    const { files } = await session(play);
    const link = files.find((f) => f.name === '0009_link.lua')!;
    const answer = await save(play, [{ name: link.name, text: '-- through the link\n', base: link.version }]);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/symbolic link out of the folder/);
    expect(readFileSync(outside, 'utf8')).toBe('-- outside\n');
  });
});

describe('moonwalk play --from', () => {
  test('a better-sqlite3 file: its bytes, ledger and rows included, the file left as it was', async () => {
    const own = await makeOwnSqlite(tmp);
    const play = await startPlay(['--dir', folderWith(OWN_FILES), '--from', `sqlite:${own.path}`]);
    try {
      const { baseline } = await session(play);
      expect(baseline).toMatchObject({ kind: 'sqlite-file', name: 'app.sqlite', engine: 'sqlite' });
      const answer = await call(play, '/api/baseline', { headers: api(play) });
      expect(answer.status).toBe(200);
      const copy = join(tmp, 'copy.sqlite');
      writeFileSync(copy, Buffer.from(answer.body, 'latin1'));
      const db = new Database(copy, { readonly: true });
      expect(db.prepare('SELECT name FROM users ORDER BY id').pluck().all()).toEqual(['Ada', 'Grace', 'Linus']);
      expect(db.prepare('SELECT id FROM _migrations').pluck().all()).toEqual(['0001_index_emails']);
      db.close();
      expect(new Uint8Array(readFileSync(own.path))).toEqual(own.bytes);
    } finally {
      await play.stop();
    }
  });

  test("the harness's PostgreSQL server: a dump PGlite loads, at most 10,000 rows a table, with a note", async () => {
    const server = await useServer('postgres');
    const url = await scratchDatabase(server, 'play_from');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`
      CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE);
      CREATE TABLE events (id bigint PRIMARY KEY, user_id integer REFERENCES users (id), at timestamptz DEFAULT now());
      INSERT INTO users (name, email) VALUES ('Ada', 'ada@example.com'), ('Grace', NULL), (E'Tab\\there', 'x@example.com');
      INSERT INTO events (id, user_id) SELECT n, 1 + n % 3 FROM generate_series(1, 10005) AS n;
      CREATE TABLE _migrations (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), checksum TEXT);
      INSERT INTO _migrations (id, description) VALUES ('0001_index_emails', 'index emails');
    `);
    await client.end();
    const play = await startPlay(['--dir', folderWith(OWN_FILES), '--from', url]);
    try {
      expect(play.output()).not.toContain('secret');
      const { baseline } = await session(play);
      expect(baseline).toMatchObject({ kind: 'dump', engine: 'postgres' });
      expect(baseline!.name).not.toContain('secret');
      expect(baseline!.notes.join(' ')).toContain('events (10,000 of 10,005)');
      const dump = (await call(play, '/api/baseline', { headers: api(play) })).body;
      const pglite = await openPglite();
      try {
        const loaded = await loadSqlDump(pglite, dump);
        expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
        const users = await pglite.query('SELECT name, email FROM users ORDER BY id', []);
        expect(users.rows).toEqual([
          ['Ada', 'ada@example.com'],
          ['Grace', null],
          ['Tab\there', 'x@example.com'],
        ]);
        expect((await pglite.query('SELECT count(*)::int FROM events', [])).rows).toEqual([[10000]]);
        expect((await pglite.query('SELECT id FROM _migrations', [])).rows).toEqual([['0001_index_emails']]);
        // The serial's position came along: the next user gets id 4.
        expect((await pglite.query("INSERT INTO users (name) VALUES ('Linus') RETURNING id", [])).rows).toEqual([[4]]);
      } finally {
        await pglite.close();
      }
    } finally {
      await play.stop();
    }
  });
});

/** A scratch database on the harness's MariaDB server with `statements` run in it; its URL. */
async function mariadbWith(label: string, statements: string[]): Promise<string> {
  const url = await scratchDatabase(await useServer('mysql'), label);
  const source = await openDatabase(url, { connectTimeoutMs: 10_000 });
  try {
    for (const sql of statements) await source.exec(sql);
  } finally {
    await source.close();
  }
  return url;
}

/** The page's baseline (a SQLite dump) as `moonwalk play` serves it, loaded into a fresh sql.js database. */
async function baselineInSqlJs(play: PlayProcess): Promise<Awaited<ReturnType<typeof openSqlJs>>> {
  const dump = (await call(play, '/api/baseline', { headers: api(play) })).body;
  const sqlite = await openSqlJs();
  const loaded = await loadSqlDump(sqlite, Buffer.from(dump, 'latin1').toString('utf8'));
  if (!loaded.ok) await sqlite.close();
  expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
  return sqlite;
}

test("--from the harness's MariaDB server: a SQLite dump of its tables, rows and ledger (the page has no MySQL)", async () => {
  const url = await mariadbWith('play_from', [
    "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL, kind ENUM('a', 'b') DEFAULT 'a', email VARCHAR(80) UNIQUE)",
    'CREATE TABLE orders (id INT PRIMARY KEY, user_id INT NOT NULL, total DECIMAL(10,2), at DATETIME, FOREIGN KEY (user_id) REFERENCES users (id))',
    "INSERT INTO users (name, email) VALUES ('Ada', 'ada@example.com'), ('O''Neil', NULL)",
    "INSERT INTO orders VALUES (1, 1, 9.50, '2024-05-01 10:00:00'), (2, 2, 20.00, NULL)",
    'CREATE TABLE _migrations (id VARCHAR(255) PRIMARY KEY, description TEXT, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(64))',
    "INSERT INTO _migrations (id, description) VALUES ('0001_index_emails', 'index emails')",
  ]);
  const play = await startPlay(['--dir', folderWith(OWN_FILES), '--from', url]);
  try {
    const { baseline } = await session(play);
    expect(baseline).toMatchObject({ kind: 'dump', engine: 'sqlite' });
    expect(baseline!.notes.join(' ')).toContain('The page has no MySQL');
    const sqlite = await baselineInSqlJs(play);
    try {
      expect(sqlite.query('SELECT id, name, kind, email FROM users ORDER BY id', []).rows).toEqual([
        [1, 'Ada', 'a', 'ada@example.com'],
        [2, "O'Neil", 'a', null],
      ]);
      expect(sqlite.query('SELECT user_id, total FROM orders ORDER BY id', []).rows).toEqual([
        [1, 9.5],
        [2, 20],
      ]);
      expect(sqlite.query('SELECT id FROM _migrations', []).rows).toEqual([['0001_index_emails']]);
      const fk = sqlite.query('SELECT "table" FROM pragma_foreign_key_list(\'orders\')', []);
      expect(fk.rows).toEqual([['users']]);
    } finally {
      await sqlite.close();
    }
  } finally {
    await play.stop();
  }
});

test('--from MariaDB: checks, views and triggers come along where SQLite runs them; the rest is named with why', async () => {
  const url = await mariadbWith('play_from_objects', [
    'CREATE TABLE items (id INT PRIMARY KEY, price DECIMAL(10,2) CHECK (price >= 0), qty INT NOT NULL DEFAULT 1, ' +
      'total DECIMAL(12,2) AS (price * qty) VIRTUAL, at DATETIME DEFAULT CURRENT_TIMESTAMP)',
    'CREATE TABLE audit (item_id INT, what VARCHAR(20))',
    "INSERT INTO items (id, price, qty, at) VALUES (1, 2.50, 2, '2024-05-01 10:00:00'), (2, 10.00, 1, '2024-06-01 09:00:00')",
    'CREATE VIEW cheap AS SELECT id, price FROM items WHERE price < 5',
    'CREATE VIEW cheap_ids AS SELECT id FROM cheap',
    "CREATE VIEW by_month AS SELECT DATE_FORMAT(at, '%Y-%m') AS month, count(*) AS n FROM items GROUP BY 1",
    "CREATE TRIGGER items_added AFTER INSERT ON items FOR EACH ROW INSERT INTO audit VALUES (NEW.id, 'added')",
    "CREATE TRIGGER items_gone AFTER DELETE ON items FOR EACH ROW BEGIN INSERT INTO audit VALUES (OLD.id, 'gone'); DELETE FROM audit WHERE item_id = 0; END",
    'CREATE TRIGGER items_clamp BEFORE UPDATE ON items FOR EACH ROW SET NEW.qty = GREATEST(NEW.qty, 0)',
    'CREATE PROCEDURE restock() UPDATE items SET qty = qty + 1',
    'CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DO DELETE FROM audit',
  ]);
  const play = await startPlay(['--dir', folderWith(OWN_FILES), '--from', url]);
  try {
    const { baseline } = await session(play);
    const notes = baseline!.notes.join('\n');
    expect(notes).toContain(
      'Carried over onto SQLite: view cheap, view cheap_ids, trigger items_added, trigger items_gone.',
    );
    expect(notes).toMatch(
      /Not carried over: .*generated column items\.total \(MySQL's expression; its values are not copied\)/,
    );
    expect(notes).toMatch(/view by_month \(SQLite cannot run it: no such function: date_format\)/i);
    expect(notes).toMatch(/trigger items_clamp \(SQLite cannot run it: [^)]*syntax error/);
    expect(notes).toContain('procedure restock (SQLite has no stored routines)');
    expect(notes).toContain('event nightly (SQLite has no scheduled events)');
    const sqlite = await baselineInSqlJs(play);
    try {
      expect(sqlite.query('SELECT id, price FROM cheap_ids JOIN cheap USING (id)', []).rows).toEqual([[1, 2.5]]);
      // The triggers run on the copy: an insert and a delete are audited as on MariaDB.
      sqlite.exec('INSERT INTO items (id, price, qty) VALUES (3, 1, 1)');
      sqlite.exec('DELETE FROM items WHERE id = 3');
      expect(sqlite.query('SELECT item_id, what FROM audit ORDER BY rowid', []).rows).toEqual([
        [3, 'added'],
        [3, 'gone'],
      ]);
      // The check constraint came along.
      expect(() => sqlite.exec('INSERT INTO items (id, price, qty) VALUES (4, -1, 1)')).toThrow(
        /CHECK constraint failed/,
      );
    } finally {
      await sqlite.close();
    }
  } finally {
    await play.stop();
  }
});

describe('moonwalk play refuses to start, with a clear error (exit 2)', () => {
  test('a missing folder', async () => {
    const result = await failPlay(['--dir', join(tmp, 'nowhere')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the migrations folder ${join(tmp, 'nowhere')} does not exist`);
    expect(result.stdout).toBe('');
  });

  test('a port in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await failPlay(['--dir', folderWith([]), '--port', String(port)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is in use: pick another with --port N`);
    } finally {
      blocker.close();
    }
  });

  test('a bad --from', async () => {
    const dir = folderWith([]);
    const notDb = join(tmp, 'notes.sqlite');
    writeFileSync(notDb, 'hello, not a database');
    for (const [from, message] of [
      [`sqlite:${join(tmp, 'missing.sqlite')}`, 'there is no such file'],
      [`sqlite:${notDb}`, 'is not a SQLite database'],
      ['sqlite::memory:', 'an in-memory database has nothing to copy'],
      ['ftp://example.com/db', 'copy from sqlite:PATH, pglite:DIR, postgres://… or mysql://…'],
      ['postgres://nobody:hunter2@127.0.0.1:1/none', 'could not be read'],
    ]) {
      const result = await failPlay(['--dir', dir, '--from', from, '--connect-timeout', '2']);
      expect(result.code, from).toBe(2);
      expect(result.stderr, from).toContain(message);
      expect(result.stderr, from).not.toMatch(/hunter2|TypeError|ERR_|at .*\.js/);
    }
    expect((await failPlay(['--dir', dir, '--port', 'x'])).stderr).toContain('--port needs a port number');
  });
});
