/**
 * Issue 11 through the command (in process, as `main`): broken folders, files, databases and flags give a clear
 * error, the right exit code, and leave the database, its ledger and the files around it as they were.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCliBuilt, json, runCli, runCliInProcess as run } from '../helpers/cli-process.ts';
import { migration } from '../helpers/migration.ts';

const require = createRequire(import.meta.url);
beforeAll(ensureCliBuilt);
const TMP = mkdtempSync(join(tmpdir(), 'moonwalk-hostile-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
let counter = 0;
const fresh = (label: string) => join(TMP, `${label}-${++counter}`);

/** A migrations folder with these files (name → text or bytes). */
function folder(files: Record<string, string | Uint8Array>): string {
  const dir = fresh('migrations');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const create = (table: string) => migration(`assert(db:execute("CREATE TABLE ${table} (x INT)"))`);

/** Tables and ledger ids of a SQLite file, read with a connection of its own. */
function inside(path: string): { tables: string[]; ledger: string[] } {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
    const ledger = tables.includes('_migrations')
      ? (db.prepare('SELECT id FROM _migrations ORDER BY id').pluck().all() as string[])
      : [];
    return { tables, ledger };
  } finally {
    db.close();
  }
}

describe('item 3: a user table called _migrations', () => {
  test('up, status and status --json refuse it by name (exit 2) and leave it unaltered', async () => {
    const path = fresh('app.db');
    const db = new Database(path);
    db.exec("CREATE TABLE _migrations (name TEXT, run_on TEXT); INSERT INTO _migrations VALUES ('x', 'y')");
    db.close();
    const before = readFileSync(path);
    const dir = folder({ '0001_a.lua': create('a') });
    const up = await run(['up', '--db', `sqlite:${path}`, '--dir', dir]);
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(/the table _migrations in sqlite file .* is not a migration ledger/);
    const status = await run(['status', '--db', `sqlite:${path}`, '--dir', dir]);
    expect(status.code).toBe(2);
    expect(status.stdout).not.toMatch(/pending/);
    expect(status.stderr).toMatch(/is not a migration ledger/);
    const doc = json(await run(['status', '--json', '--db', `sqlite:${path}`, '--dir', dir]));
    expect(doc.error.message).toMatch(/is not a migration ledger/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe('item 5 and 14: the bytes of a .lua file', () => {
  test('bytes that are not UTF-8 are a load error naming the file and line; nothing is applied', async () => {
    const text = migration(`assert(db:execute("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('caf@')"))`);
    const bytes = Buffer.from(text, 'latin1');
    bytes[bytes.indexOf('@'.charCodeAt(0))] = 0xe9;
    const dir = folder({ '0001_ok.lua': create('ok'), '0002_latin1.lua': bytes });
    const path = fresh('app.db');
    const up = await run(['up', '--db', `sqlite:${path}`, '--dir', dir]);
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(/0002_latin1\.lua:6: the file is not valid UTF-8 \(byte 0xE9/);
    expect(readdirSync(dir).sort()).toEqual(['0001_ok.lua', '0002_latin1.lua']);
  });

  test('an applied file whose bytes change is modified, even when only one byte of a letter changed', async () => {
    const dir = folder({ '0001_cafe.lua': migration(`assert(db:execute("CREATE TABLE t (v TEXT)")) -- café`) });
    const path = fresh('app.db');
    expect((await run(['up', '--db', `sqlite:${path}`, '--dir', dir])).code).toBe(0);
    const file = join(dir, '0001_cafe.lua');
    const bytes = readFileSync(file);
    bytes[bytes.indexOf(0xa9)] = 0xa8; // é → è
    writeFileSync(file, bytes);
    const doc = json(await run(['status', '--json', '--db', `sqlite:${path}`, '--dir', dir]));
    expect(doc.migrations.map((m: { status: string }) => m.status)).toEqual(['modified']);
  });

  test('a UTF-8 byte-order mark is skipped, and the checksum is of the bytes', async () => {
    const text = `\uFEFF${create('bom')}`;
    const dir = folder({ '0001_bom.lua': text });
    const path = fresh('app.db');
    const up = await run(['up', '--db', `sqlite:${path}`, '--dir', dir]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(inside(path).tables).toEqual(['_migrations', 'bom']);
    const status = json(await run(['status', '--json', '--db', `sqlite:${path}`, '--dir', dir]));
    expect(status.migrations[0].status).toBe('applied');
  });
});

describe('item 7: entries of the folder that are not plain files', () => {
  test('a .lua symbolic link to a file is followed: run, listed, reverted', async () => {
    const shared = fresh('shared');
    mkdirSync(shared);
    writeFileSync(join(shared, 'common.lua'), create('shared_table'));
    const dir = folder({ '0001_a.lua': create('a') });
    symlinkSync(join(shared, 'common.lua'), join(dir, '0002_shared.lua'));
    const path = fresh('app.db');
    const up = await run(['up', '--db', `sqlite:${path}`, '--dir', dir]);
    expect(up.code).toBe(0);
    expect(inside(path).ledger).toEqual(['0001_a', '0002_shared']);
  });

  test.each([
    [
      'a link to nothing',
      (dir: string) => symlinkSync(join(dir, 'nowhere.lua'), join(dir, '0002_x.lua')),
      /a symbolic link to .*nowhere\.lua, which does not exist/,
    ],
    [
      'a folder named x.lua',
      (dir: string) => mkdirSync(join(dir, '0002_x.lua')),
      /0002_x\.lua is a folder, not a migration file/,
    ],
    [
      'a link to a folder',
      (dir: string) => symlinkSync(TMP, join(dir, '0002_x.lua')),
      /a symbolic link to .*, which is a folder/,
    ],
    [
      'a FIFO named x.lua',
      (dir: string) => execFileSync('mkfifo', [join(dir, '0002_x.lua')]),
      /0002_x\.lua is a FIFO \(named pipe\), not a migration file/,
    ],
  ])('%s is refused by name (exit 2), nothing is applied', async (_name, make, message) => {
    const dir = folder({ '0001_a.lua': create('a') });
    make(dir);
    const path = fresh('app.db');
    for (const command of ['up', 'status']) {
      const outcome = await run([command, '--db', `sqlite:${path}`, '--dir', dir]);
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toMatch(message);
      expect(outcome.stdout).toBe('');
    }
  });
});

describe('item 8: a corrupt SQLite file', () => {
  const corruptions: Array<[string, (path: string) => void]> = [
    ['random bytes', (p) => writeFileSync(p, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251)))],
    [
      'a truncated database',
      (p) => {
        const db = new Database(p);
        db.exec(
          'CREATE TABLE a (x TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) INSERT INTO a SELECT hex(randomblob(500)) FROM n',
        );
        db.close();
        writeFileSync(p, readFileSync(p).subarray(0, 1000));
      },
    ],
    [
      'garbage pages after a valid header',
      (p) => {
        const db = new Database(p);
        db.exec("CREATE TABLE a (x TEXT); CREATE INDEX ax ON a (x); INSERT INTO a VALUES ('x')");
        db.close();
        const bytes = readFileSync(p);
        for (let i = 100; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
        writeFileSync(p, bytes);
      },
    ],
  ];
  test.each(corruptions)('%s: exit 2 with the path; status never claims an empty folder', async (_name, corrupt) => {
    const path = fresh('corrupt.db');
    corrupt(path);
    const before = readFileSync(path);
    const dir = folder({ '0001_a.lua': create('a') });
    for (const command of ['status', 'up']) {
      const outcome = await run([command, '--db', `sqlite:${path}`, '--dir', dir]);
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain(path);
      expect(outcome.stderr).toMatch(/not a database|malformed|corrupt/);
      expect(outcome.stdout).not.toMatch(/pending|no migrations/);
    }
    const doc = json(await run(['status', '--json', '--db', `sqlite:${path}`, '--dir', dir]));
    expect(doc.error.message).toContain(path);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe('item 9: database paths that cannot be used', () => {
  test('pglite: a regular file is named with the flag, never [object Object]', async () => {
    const file = fresh('plain.txt');
    writeFileSync(file, 'hello');
    const outcome = await run(['status', '--db', `pglite:${file}`, '--dir', folder({})]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(file);
    expect(outcome.stderr).toMatch(/--db/);
    expect(outcome.stderr).not.toMatch(/object Object|undefined/);
    expect(readFileSync(file, 'utf8')).toBe('hello');
  });

  test('pglite: a non-empty folder that is not a data directory is refused, nothing is written in it', async () => {
    const dir = fresh('photos');
    mkdirSync(dir);
    writeFileSync(join(dir, 'holiday.jpg'), 'jpg');
    const outcome = await run(['status', '--db', `pglite:${dir}`, '--dir', folder({})]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(dir);
    expect(outcome.stderr).toMatch(/not a PostgreSQL data directory/);
    expect(readdirSync(dir)).toEqual(['holiday.jpg']);
  });

  test.each([
    ['whose folder is missing', () => join(fresh('missing'), 'app.db'), /folder .* does not exist/],
    [
      'whose parent is a file',
      () => {
        const file = fresh('file');
        writeFileSync(file, '');
        return join(file, 'app.db');
      },
      /is not a folder/,
    ],
    [
      'that is a folder',
      () => {
        const dir = fresh('folder.db');
        mkdirSync(dir);
        return dir;
      },
      /is a folder, not a database file/,
    ],
  ])('sqlite: a path %s names the path and the flag (exit 2)', async (_name, makePath, message) => {
    const path = makePath();
    const outcome = await run(['up', '--db', `sqlite:${path}`, '--dir', folder({ '0001_a.lua': create('a') })]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(path);
    expect(outcome.stderr).toMatch(/--db/);
    expect(outcome.stderr).toMatch(message);
  });
});

describe('item 10: new with a name the file system cannot take', () => {
  test('a 300-character name is a usage error (exit 2) with a sentence; no file is written', async () => {
    const dir = fresh('migrations');
    mkdirSync(dir);
    const outcome = await run(['new', 'x'.repeat(300), '--dir', dir]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/too long/);
    expect(outcome.stderr).not.toMatch(/ENAMETOOLONG/);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a --dir inside a file is a usage error naming it', async () => {
    const file = fresh('file');
    writeFileSync(file, '');
    const outcome = await run(['new', 'add_users', '--dir', join(file, 'migrations')]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(file);
    expect(outcome.stderr).not.toMatch(/ENOTDIR|EEXIST/);
    expect(statSync(file).size).toBe(0);
  });
});

describe('item 6: another process holds the SQLite write lock', () => {
  /** A process that holds an exclusive transaction on `path` until killed; resolves once it holds it. */
  async function holdWriteLock(path: string): Promise<ChildProcess> {
    const script = `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(path)});
      db.exec('BEGIN EXCLUSIVE');
      process.stdout.write('locked\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
    });
    return child;
  }

  test('up waits exactly --lock-timeout, then names the holder and what to do; nothing changes', async () => {
    const path = fresh('app.db');
    const db = new Database(path);
    db.exec('CREATE TABLE app (x INT)');
    db.close();
    const dir = folder({ '0001_a.lua': create('a') });
    const holder = await holdWriteLock(path);
    try {
      for (const seconds of [1, 6]) {
        const outcome = await runCli([
          'up',
          '--json',
          '--lock-timeout',
          String(seconds),
          '--db',
          `sqlite:${path}`,
          '--dir',
          dir,
        ]);
        expect(outcome.code).toBe(1);
        const doc = json(outcome);
        expect(doc.error.phase).toBe('lock');
        expect(doc.error.message).toContain(
          `is locked by another connection writing to it, held by process ${holder.pid}`,
        );
        expect(doc.error.message).toMatch(/let that process finish its transaction \(or stop it\), and run again/);
        const waited = Number(/gave up after waiting (\d+(?:\.\d)?) s/.exec(doc.error.message)?.[1]);
        expect(waited).toBeGreaterThanOrEqual(seconds);
        expect(waited).toBeLessThan(seconds + 4);
      }
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((resolve) => holder.once('exit', resolve));
    expect(inside(path)).toEqual({ tables: ['app'], ledger: [] });
  }, 60_000);

  test('a lock file that is garbage says what it is and what to do', async () => {
    const path = fresh('app.db');
    writeFileSync(`${path}.moonwalk-lock`, 'not a database at all, just some bytes '.repeat(100));
    const outcome = await run(['up', '--db', `sqlite:${path}`, '--dir', folder({ '0001_a.lua': create('a') })]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/it is not a moonwalk lock file; if no moonwalk run is going on, delete it/);
    expect(inside(path).tables).toEqual([]);
  });
});

describe('items 12, 13, 15: what reaches the terminal, and limits that cannot be honoured', () => {
  test('control characters in an error are escaped and its later lines indented; a huge message is cut', async () => {
    const dir = folder({
      '0001_fake.lua': migration('error("\\27[2J\\27[H+ 0001_fake  applied\\n+ 0002_more  applied\\r")'),
      '0002_big.lua': migration('error(string.rep("x", 50 * 1024 * 1024))'),
    });
    const path = fresh('app.db');
    const first = await run(['up', '--step', '1', '--db', `sqlite:${path}`, '--dir', dir]);
    expect(first.code).toBe(1);
    expect(first.stderr).not.toMatch(/[\u001b\r]/);
    expect(first.stderr).toContain('\\x1B[2J');
    expect(first.stderr).not.toMatch(/^\+ 0002_more/m);
    writeFileSync(join(dir, '0001_fake.lua'), create('fine'));
    const second = await run(['up', '--db', `sqlite:${path}`, '--dir', dir, '--max-memory-mb', '512']);
    expect(second.code).toBe(1);
    expect(second.stderr.length).toBeLessThan(10_000);
    expect(second.stderr).toMatch(/… \([\d,]+ more bytes\)/);
    expect(inside(path).ledger).toEqual(['0001_fake']);
    // The same cut and the same count, in bytes, in the JSON: 20,000 two-byte characters are 40,000 bytes.
    writeFileSync(join(dir, '0002_big.lua'), migration('error(string.rep("é", 20000))'));
    const json = await run(['up', '--json', '--db', `sqlite:${path}`, '--dir', dir]);
    expect(json.code).toBe(1);
    const message = String((JSON.parse(json.stdout) as { error: { message: string } }).error.message);
    const cut = /^([\s\S]*)… \(([\d,]+) more bytes\)$/.exec(message)!;
    const head = Buffer.byteLength(cut[1]);
    expect(head).toBeLessThanOrEqual(4096);
    const prefix = Buffer.byteLength(cut[1].slice(0, cut[1].indexOf('é')));
    expect(head + Number(cut[2].replace(/,/g, ''))).toBe(prefix + 40_000);
  });

  test('--format github: print output and error messages cannot start a workflow command, only the annotation is one', async () => {
    const dir = folder({
      '0001_inject.lua': migration(
        'print("fine\\n::add-mask::secret\\n  ##[error]fake")\n' +
          'error("failed\\n::error file=README.md,line=1::fake%0A::stop-commands::token")',
      ),
    });
    const path = fresh('app.db');
    for (const flags of [[], ['--json']]) {
      const outcome = await run(['up', '--format', 'github', ...flags, '--db', `sqlite:${path}`, '--dir', dir]);
      expect(outcome.code).toBe(1);
      const commands = `${outcome.stdout}\n${outcome.stderr}`.split('\n').filter((line) => /^\s*(::|##\[)/.test(line));
      // The one annotation: the error on the file and line of the migration, with its own text escaped.
      expect(commands).toHaveLength(1);
      expect(commands[0]).toMatch(/^::error file=[^,]*0001_inject\.lua,line=\d+::/);
      expect(commands[0]).toContain('failed%0A::error file=README.md');
      expect(commands[0]).toContain('fake%250A::stop-commands::token');
      if (flags.length === 0) {
        expect(outcome.stdout).toContain('\\x3A:add-mask::secret');
        expect(outcome.stdout).toContain('\\x23#[error]fake');
      }
    }
    expect(inside(path).ledger).toEqual([]);
  });

  test('Infinity and NaN in JSON output are said as words, never as null', async () => {
    const dir = folder({
      '0001_inf.lua': migration(
        'assert(db:execute("CREATE TABLE f (x REAL)")); assert(db:execute("INSERT INTO f VALUES (?), (?)", { 1/0, -1/0 }))',
      ),
    });
    const outcome = await run(['up', '--dry-run', '--json', '--db', 'sqlite::memory:', '--dir', dir]);
    expect(outcome.code).toBe(0);
    const document = JSON.parse(outcome.stdout) as { statements: Array<{ params: unknown[] }> };
    expect(document.statements[1].params).toEqual(['Infinity', '-Infinity']);
  });

  test('--max-instructions below 1,000 is a usage error', async () => {
    const outcome = await run(['up', '--max-instructions', '1', '--db', 'sqlite::memory:', '--dir', folder({})]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/--max-instructions needs at least 1,000/);
  });
});
