/**
 * The command in CI (DESIGN §5, issue 10 item 4): DATABASE_URL and MOONWALK_DIR from `./.env` or `--env-file PATH`,
 * `status --exit-code` as a deploy gate, `--format github` annotations (exact lines) for lint, verify, up and down,
 * and `moonwalk --version`. The command runs as a child process in a project folder of its own, as in a CI job.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lineOf, lua, luaFor, type Spec } from '../helpers/lua-files.ts';
import { ensureCliBuilt, json, ROOT, runCli, runCliInProcess, type CliOptions } from '../helpers/cli-process.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-ci-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(ensureCliBuilt);

let counter = 0;
/** A project folder: migration files (`<id>.lua`, in `dir`) and other files (name → text). */
function project(migrations: Record<string, Spec | string>, other: Record<string, string> = {}, dir = 'migrations') {
  const root = join(tmp, `project-${++counter}`);
  mkdirSync(join(root, dir), { recursive: true });
  for (const [id, spec] of Object.entries(migrations)) writeFileSync(join(root, dir, `${id}.lua`), lua(spec));
  for (const [name, text] of Object.entries(other)) writeFileSync(join(root, name), text);
  return root;
}

/** `moonwalk …args` in `cwd`, with no DATABASE_URL from this process's environment. */
const moonwalk = (cwd: string, args: string[], options: CliOptions = {}) => runCli(args, { ...options, cwd });

const items: Spec = {
  up: '          db:execute("CREATE TABLE items (v TEXT)")',
  down: '          db:execute("DROP TABLE items")',
};

describe('.env and --env-file', () => {
  test('./.env gives DATABASE_URL and MOONWALK_DIR; the environment, --db and --dir win over it', async () => {
    const cwd = project(
      { '0001_items': items },
      { '.env': '# the application\'s settings\nDATABASE_URL="sqlite:from-dotenv.db"\nMOONWALK_DIR=db\nOTHER=1\n' },
      'db',
    );
    const up = await moonwalk(cwd, ['up', '--json']);
    expect(up.code).toBe(0);
    expect(json(up).results.map((r: { id: string; status: string }) => `${r.id} ${r.status}`)).toEqual([
      '0001_items applied',
    ]);
    expect(existsSync(join(cwd, 'from-dotenv.db'))).toBe(true);

    const fromEnv = await moonwalk(cwd, ['status', '--json'], { env: { DATABASE_URL: 'sqlite:from-env.db' } });
    expect(json(fromEnv).migrations[0].status).toBe('pending');
    const fromFlag = await moonwalk(cwd, ['status', '--json', '--db', 'sqlite:from-flag.db']);
    expect(json(fromFlag).migrations[0].status).toBe('pending');
    // status names the database it read (and, only looking, does not make it).
    const named = await moonwalk(cwd, ['status', '--db', 'sqlite:from-flag.db']);
    expect(named.stdout).toContain('sqlite file from-flag.db, which holds no database yet');
    expect(existsSync(join(cwd, 'from-flag.db'))).toBe(false);

    const otherDir = await moonwalk(cwd, ['status', '--dir', 'elsewhere']);
    expect(otherDir.code).toBe(2);
    expect(otherDir.stderr).toContain('the migrations folder elsewhere does not exist');
  });

  test('without .env nor DATABASE_URL there is no database: exit 2, and the message says where to set it', async () => {
    const cwd = project({ '0001_items': items });
    const outcome = await moonwalk(cwd, ['status']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(
      'Error: no database: pass --db URL (e.g. --db sqlite:app.db) or set DATABASE_URL (in the environment or in .env)',
    );
  });

  test('--env-file PATH is read instead of ./.env', async () => {
    const cwd = project(
      { '0001_items': items },
      { '.env': 'DATABASE_URL=sqlite:dotenv.db\n', 'ci.env': 'DATABASE_URL=sqlite:ci.db\nMOONWALK_DIR=db\n' },
      'db',
    );
    const up = await moonwalk(cwd, ['up', '--env-file', 'ci.env', '--json']);
    expect(up.code).toBe(0);
    expect(json(up).ok).toBe(true);
    expect(existsSync(join(cwd, 'ci.db'))).toBe(true);
    expect(existsSync(join(cwd, 'dotenv.db'))).toBe(false);
  });

  // Node itself looks for --env-file anywhere on its command line up to a `--` (nodejs/node#54232) and stops at once
  // when the file is missing; `node -- bin/moonwalk.js` hands the flag to moonwalk, as docs/decisions.md explains.
  const past = { nodeArgs: ['--'] };

  test('a missing or unreadable --env-file is exit 2 with what to do, as text or as the JSON document', async () => {
    const cwd = project({ '0001_items': items });
    const missing = await moonwalk(cwd, ['status', '--env-file', 'nope.env'], past);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(
      'Error: --env-file nope.env: no such file (give the path of a file of NAME=value lines, e.g. --env-file .env.ci)\n' +
        'Run moonwalk --help for usage.\n',
    );
    const asJson = await moonwalk(cwd, ['up', '--env-file=nope.env', '--json'], past);
    expect(asJson.code).toBe(2);
    expect(json(asJson)).toEqual({
      ok: false,
      results: [],
      error: {
        migration: null,
        phase: 'check',
        message:
          '--env-file nope.env: no such file (give the path of a file of NAME=value lines, e.g. --env-file .env.ci)',
      },
    });
    const folder = await moonwalk(cwd, ['status', '--env-file', 'migrations'], past);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('Error: --env-file migrations is a folder, not a file of NAME=value lines');
  });
});

describe('status --exit-code', () => {
  test('exit 1 while anything is pending, modified or missing; 0 once all is applied; 0 without the flag', async () => {
    const cwd = project({ '0001_items': items, '0002_more': { up: 'db:execute("CREATE TABLE more (v TEXT)")' } });
    const db = ['--db', 'sqlite:app.db'];
    const pending = await moonwalk(cwd, ['status', '--exit-code', ...db]);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toContain('2 pending.');
    expect(pending.stderr).toBe('');
    expect((await moonwalk(cwd, ['status', ...db])).code).toBe(0);

    expect((await moonwalk(cwd, ['up', ...db])).code).toBe(0);
    const settled = await moonwalk(cwd, ['status', '--exit-code', '--json', ...db]);
    expect(settled.code).toBe(0);
    expect(json(settled).migrations.map((m: { status: string }) => m.status)).toEqual(['applied', 'applied']);

    const first = join(cwd, 'migrations', '0001_items.lua');
    writeFileSync(first, `${readFileSync(first, 'utf8')}-- changed after it was applied\n`);
    const modified = await moonwalk(cwd, ['status', '--exit-code', '--json', ...db]);
    expect(modified.code).toBe(1);
    expect(json(modified).migrations.map((m: { status: string }) => m.status)).toEqual(['modified', 'applied']);

    unlinkSync(first);
    const missing = await moonwalk(cwd, ['status', '--exit-code', ...db]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/missing +0001_items/);
    expect((await moonwalk(cwd, ['status', ...db])).code).toBe(0);
  });

  test('with --targets: exit 1 while any target has something pending', async () => {
    const cwd = project({ '0001_items': items }, { 'targets.txt': 'sqlite:one.db\nsqlite:two.db\n' });
    expect((await moonwalk(cwd, ['up', '--db', 'sqlite:one.db'])).code).toBe(0);
    const fleet = ['status', '--targets', 'targets.txt', '--exit-code'];
    const half = await moonwalk(cwd, fleet);
    expect(half.code).toBe(1);
    expect((await moonwalk(cwd, ['status', '--targets', 'targets.txt'])).code).toBe(0);
    expect((await moonwalk(cwd, ['up', '--targets', 'targets.txt'])).code).toBe(0);
    expect((await moonwalk(cwd, fleet)).code).toBe(0);
  });

  test('--exit-code is for status only', async () => {
    const outcome = await moonwalk(project({}), ['up', '--exit-code', '--db', 'sqlite::memory:']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('unknown option --exit-code for "moonwalk up"');
  });
});

describe("--json when a command fails before it reads the database: that command's own document (DESIGN §5)", () => {
  test('status: {engine, migrations: [], error}, the engine named by --db or DATABASE_URL; never the run document', async () => {
    const cwd = project({ '0001_items': items });
    const refused = ['postgres://nobody@127.0.0.1:1/x', 'mysql://nobody@127.0.0.1:1/x'];
    for (const [i, url] of refused.entries()) {
      const viaFlag = await moonwalk(cwd, ['status', '--json', '--db', url]);
      const viaEnv = await moonwalk(cwd, ['status', '--json'], { env: { DATABASE_URL: url } });
      for (const outcome of [viaFlag, viaEnv]) {
        expect(outcome.code).toBe(2);
        const doc = json(outcome);
        expect(Object.keys(doc).sort()).toEqual(['engine', 'error', 'migrations']);
        expect(doc.engine).toBe(['postgres', 'mysql'][i]);
        expect(doc.migrations).toEqual([]);
        expect(doc.error.phase).toBe('connect');
        expect(doc.error.message).toContain('could not connect');
      }
    }
    const noFolder = await moonwalk(cwd, ['status', '--json', '--db', 'sqlite:app.db', '--dir', 'nowhere']);
    expect(noFolder.code).toBe(2);
    expect(json(noFolder)).toEqual({
      engine: 'sqlite',
      migrations: [],
      error: { migration: null, phase: 'check', message: expect.stringContaining('nowhere does not exist') },
    });
  });

  test('verify and lint keep their shapes too; up keeps the run document', async () => {
    const cwd = project({});
    const args = ['--json', '--dir', 'nowhere'];
    const verify = json(await moonwalk(cwd, ['verify', ...args]));
    expect(Object.keys(verify).sort()).toEqual(['error', 'migrations', 'ok']);
    expect(verify).toMatchObject({ ok: false, migrations: [] });
    const lint = json(await moonwalk(cwd, ['lint', ...args]));
    expect(Object.keys(lint).sort()).toEqual(['error', 'findings', 'ok']);
    expect(lint).toMatchObject({ ok: false, findings: [] });
    const up = json(await moonwalk(cwd, ['up', ...args, '--db', 'sqlite:app.db']));
    expect(up).toMatchObject({ ok: false, results: [], error: { phase: 'check' } });
  });
});

describe('--format github', () => {
  const failing: Spec = {
    engines: ['sqlite'],
    up: [
      '          db:execute("CREATE TABLE other (v TEXT)")',
      '          db:execute("INSERT INTO nowhere VALUES (1)")',
    ].join('\n'),
    down: '          db:execute("DROP TABLE other")',
  };
  const failingLine = lineOf(lua(failing), 'nowhere');
  const upFailure =
    `::error file=migrations/0002_broken.lua,line=${failingLine}::migration 0002_broken (up) at 0002_broken.lua:` +
    `${failingLine}: a statement failed and the code went on without handling it: no such table: nowhere. Check the ` +
    'second return value (local r, err = db:execute(...); if err then error(err) end) or roll back to a savepoint%0A' +
    '  SQL: INSERT INTO nowhere VALUES (1)';

  test('lint: each finding as an annotation after its human line, on its file and line; info is a notice', async () => {
    const cwd = project({ '0001_items': items });
    writeFileSync(
      join(cwd, 'migrations', '0002_oops.lua'),
      'return require("migration").define(function()\n  x(\nend)\n',
    );
    const createLine = lineOf(lua(items), 'CREATE TABLE');
    const outcome = await moonwalk(cwd, ['lint', '--format', 'github']);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout.split('\n')).toEqual([
      `migrations/0001_items.lua:${createLine} info create-without-if-not-exists CREATE TABLE items without IF NOT ` +
        'EXISTS fails if the object already exists. Fix: write CREATE TABLE IF NOT EXISTS so the migration can run ' +
        'again safely.',
      `::notice file=migrations/0001_items.lua,line=${createLine},title=create-without-if-not-exists::CREATE TABLE ` +
        'items without IF NOT EXISTS fails if the object already exists. Fix: write CREATE TABLE IF NOT EXISTS so the ' +
        'migration can run again safely.',
      "migrations/0002_oops.lua:3 error syntax-error Lua syntax error: ')' expected near 'end'. Fix: correct the Lua " +
        'syntax at line 3 so the file loads.',
      "::error file=migrations/0002_oops.lua,line=3,title=syntax-error::Lua syntax error: ')' expected near 'end'. " +
        'Fix: correct the Lua syntax at line 3 so the file loads.',
      '',
    ]);
    expect(outcome.stderr).toBe('1 error, 0 warnings, 1 info in 2 files.\n');
  });

  test('lint: a statement the runner refuses is an error annotation on its call line, before up fails on it', async () => {
    const cwd = project({});
    const source = luaFor('sqlite', {
      description: 'forget the ledger',
      up: [
        '        db:execute("CREATE TABLE IF NOT EXISTS items (v TEXT)")',
        '        db:execute("DELETE FROM _migrations")',
      ].join('\n'),
      down: '        db:execute("DROP TABLE items")',
    });
    writeFileSync(join(cwd, 'migrations', '0001_forget.lua'), source);
    const line = lineOf(source, 'DELETE FROM _migrations');
    const outcome = await moonwalk(cwd, ['lint', '--format', 'github']);
    expect(outcome.code).toBe(1);
    const guard =
      "writing to _migrations is not allowed in a migration: it is Moonwalk's ledger, which only the runner writes " +
      '(reading it with db:query is allowed; see docs/security.md)';
    const message =
      `the runner refuses this statement, so the migration will fail: ${guard}. ` +
      'Fix: remove the statement, or do what the message says instead.';
    expect(outcome.stdout.split('\n')).toEqual([
      `migrations/0001_forget.lua:${line} error refused-statement ${message}`,
      `::error file=migrations/0001_forget.lua,line=${line},title=refused-statement::${message}`,
      '',
    ]);
    // What lint told is what up then says, on the same line.
    const up = await moonwalk(cwd, ['up', '--db', 'sqlite:app.db']);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`0001_forget.lua:${line}`);
    expect(up.stderr).toContain(guard);
  });

  test('up: the failed migration on its file and line, the human lines kept; nothing more when all is well', async () => {
    const cwd = project({ '0001_items': { ...items, engines: ['sqlite'] }, '0002_broken': failing });
    const outcome = await moonwalk(cwd, ['up', '--format', 'github', '--db', 'sqlite:app.db']);
    expect(outcome.code).toBe(1);
    const lines = outcome.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\+ 0001_items {2}applied {2}\(/);
    expect(lines[1]).toMatch(/^! 0002_broken {2}failed {2}\(/);
    expect(lines[2]).toBe(upFailure);
    expect(outcome.stderr).toContain('Error: migration 0002_broken (up) at 0002_broken.lua:');

    const fine = project({ '0001_items': items });
    const ok = await moonwalk(fine, ['up', '--format', 'github', '--db', 'sqlite:app.db']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toContain('::');
  });

  test('down: a down that fails, on its line', async () => {
    const breaking: Spec = { engines: ['sqlite'], up: items.up, down: '          db:execute("DROP TABLE absent")' };
    const cwd = project({ '0001_items': breaking });
    expect((await moonwalk(cwd, ['up', '--db', 'sqlite:app.db'])).code).toBe(0);
    const outcome = await moonwalk(cwd, ['down', '--format', 'github', '--db', 'sqlite:app.db']);
    expect(outcome.code).toBe(1);
    const line = lineOf(lua(breaking), 'DROP TABLE absent');
    expect(outcome.stdout.trim().split('\n').at(-1)).toBe(
      `::error file=migrations/0001_items.lua,line=${line}::migration 0001_items (down) at 0001_items.lua:${line}: ` +
        'a statement failed and the code went on without handling it: no such table: absent. Check the second ' +
        'return value (local r, err = db:execute(...); if err then error(err) end) or roll back to a savepoint%0A' +
        '  SQL: DROP TABLE absent',
    );
  });

  test('verify: a migration that is not reversible, with its reason and the differences its down left', async () => {
    const leaky: Spec = {
      engines: ['sqlite'],
      up: '          db:execute("CREATE TABLE leaks (v TEXT)")',
      down: '          db:execute("SELECT 1")',
    };
    const cwd = project({ '0001_items': { ...items, engines: ['sqlite'] }, '0002_leaky': leaky });
    const outcome = await moonwalk(cwd, ['verify', '--format', 'github']);
    expect(outcome.code).toBe(1);
    const annotations = outcome.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toHaveLength(1);
    const line = lineOf(lua(leaky), 'CREATE TABLE leaks');
    expect(annotations[0]).toBe(
      `::error file=migrations/0002_leaky.lua,line=${line}::0002_leaky  NOT reversible: down left 1 difference, and ` +
        `up failed when run again after down: migration 0002_leaky (up) at 0002_leaky.lua:${line}: a statement ` +
        'failed and the code went on without handling it: table leaks already exists. Check the second return value ' +
        '(local r, err = db:execute(...); if err then error(err) end) or roll back to a savepoint%0A  SQL: CREATE ' +
        'TABLE leaks (v TEXT)%0A  Verification goes on from the state its first up left, replayed on a fresh ' +
        'database.%0A    + table leaks (v TEXT)',
    );
    expect(outcome.stdout).toContain('! 0002_leaky  NOT reversible: ');
    expect(outcome.stdout).toContain('+ 0001_items  reversible (up, down, up again)');
  });

  test('a failure that belongs to no file is an annotation without one', async () => {
    const outcome = await moonwalk(project({}), ['up', '--format', 'github', '--db', 'nonsense:x']);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe(
      '::error::cannot open "nonsense:x": the database URL must look like one of sqlite:PATH, sqlite::memory:, ' +
        'pglite:DIR, pglite::memory:, postgres://USER:PASSWORD@HOST:PORT/DB, mysql://USER:PASSWORD@HOST:PORT/DB\n',
    );
  });

  test('--json --format github: stdout keeps its one document, the annotations go to stderr', async () => {
    const cwd = project({ '0002_broken': failing });
    const outcome = await moonwalk(cwd, ['up', '--json', '--format', 'github', '--db', 'sqlite:app.db']);
    expect(outcome.code).toBe(1);
    expect(json(outcome).error.migration).toBe('0002_broken');
    expect(outcome.stderr.split('\n')).toContain(upFailure);
  });

  test('up --targets: each failed target as an annotation that names it', async () => {
    const cwd = project({ '0002_broken': failing }, { 'targets.txt': 'sqlite:one.db\n' });
    const outcome = await moonwalk(cwd, ['up', '--targets', 'targets.txt', '--format', 'github']);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout.trim().split('\n').at(-1)).toBe(
      upFailure.replace('::migration', '::target sqlite:one.db: migration'),
    );
  });

  test('--format takes github only, on lint, verify, up and down', async () => {
    const cwd = project({});
    const other = await moonwalk(cwd, ['lint', '--format', 'gitlab']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--format must be github, not "gitlab"');
    const status = await moonwalk(cwd, ['status', '--format', 'github']);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('unknown option --format for "moonwalk status"');
  });
});

describe('moonwalk --version', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

  test("prints the package's version, as a process and in process", async () => {
    const outcome = await moonwalk(tmp, ['--version']);
    expect(outcome).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await runCliInProcess(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
