/**
 * Every lesson's Check in Node, through the real core (sql.js; PGlite for the lesson that runs on PostgreSQL): the
 * lesson's answer passes, the starting workspace fails, and a wrong answer per lesson fails with what is wrong in the
 * person's terms and where.
 */
import { describe, expect, test } from 'vitest';
import { LuaHost } from '../../src/core/lua/host.ts';
import { checkLesson, CHECK_TITLES } from '../../src/web/lessons/check.ts';
import { codeOnly } from '../../src/web/lessons/lua-code.ts';
import { LESSONS, lessonById } from '../../src/web/lessons/lessons.ts';
import type { LessonVerdict } from '../../src/web/lessons/types.ts';
import type { SourceFile } from '../../src/web/worker/protocol.ts';
import { openNodeEngine } from '../harness/in-process-engine.ts';

const host = new LuaHost();

const check = (id: string, files: SourceFile[]): Promise<LessonVerdict> =>
  checkLesson(lessonById(id)!, files, { host, open: (engine) => openNodeEngine(engine) });

/** The lesson's answer with `file` replaced by `text` (or `edit` applied to the answer's text). */
function answerWith(id: string, edit: (text: string) => string): SourceFile[] {
  const lesson = lessonById(id)!;
  return lesson.answer.map((f) => (f.name === lesson.file ? { ...f, text: edit(f.text) } : f));
}

/** The failed checks: title → their problems' messages. */
function failures(verdict: LessonVerdict): Record<string, string[]> {
  return Object.fromEntries(
    verdict.checks.filter((c) => !c.ok).map((c) => [c.title, c.problems.map((p) => p.message)]),
  );
}

describe('the course', () => {
  test('ten lessons, ids unique, each a task, a starting workspace holding its file, hints', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(8);
    expect(LESSONS.length).toBeLessThanOrEqual(12);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const lesson of LESSONS) {
      expect(lesson.task.length, lesson.id).toBeGreaterThan(0);
      expect(lesson.hints.length, lesson.id).toBeGreaterThan(0);
      expect(
        lesson.files.map((f) => f.name),
        lesson.id,
      ).toContain(lesson.file);
      expect(
        lesson.answer.map((f) => f.name),
        lesson.id,
      ).toContain(lesson.file);
    }
  });

  test('codeOnly leaves out comments and the text of strings', () => {
    const code = codeOnly('-- db:savepoint(x)\nlocal s = "db:prepare(" .. [[db:query(]] --[[ db:x( ]] db:y(1)');
    expect(code).not.toMatch(/savepoint|prepare|query|x\(/);
    expect(code).toContain('db:y(1)');
    expect(code).toContain('S .. S');
  });
});

describe.each(LESSONS.map((l) => [l.id] as const))('lesson %s', (id) => {
  const lesson = lessonById(id)!;
  test(
    'the answer passes every check; the starting workspace does not',
    async () => {
      const passing = await check(id, lesson.answer);
      expect(failures(passing)).toEqual({});
      expect(passing.passed).toBe(true);
      const titles = passing.checks.map((c) => c.title);
      for (const title of [CHECK_TITLES.lint, CHECK_TITLES.run, CHECK_TITLES.schema, CHECK_TITLES.verify])
        expect(
          titles.some((t) => t.startsWith(title)),
          title,
        ).toBe(true);
      const failing = await check(id, lesson.files);
      expect(failing.passed).toBe(false);
      // Each failure says what is wrong.
      for (const c of failing.checks.filter((c) => !c.ok)) expect(c.problems.length, c.title).toBeGreaterThan(0);
    },
    // The lesson on PostgreSQL opens six PGlite databases.
    lesson.engines?.includes('postgres') ? 240_000 : 60_000,
  );
});

describe('what a failure says', () => {
  test('1: a missing table, then a column of the wrong kind and one that allows NULL', async () => {
    const start = await check('create-table', lessonById('create-table')!.files);
    expect(failures(start)).toEqual({
      [CHECK_TITLES.schema]: ['There is no table users after up: the task asks for it.'],
    });
    expect(start.checks.find((c) => c.title === CHECK_TITLES.schema)!.problems[0].file).toBe('0001_create_users.lua');
    const wrong = await check(
      'create-table',
      answerWith('create-table', (t) =>
        t.replace('name TEXT NOT NULL', 'name INTEGER').replace('email TEXT', 'mail TEXT'),
      ),
    );
    const schema = failures(wrong)[CHECK_TITLES.schema];
    expect(schema).toContain('Column users.name is INTEGER; the task asks for TEXT.');
    expect(schema).toContain('Column users.name is allowed to be NULL; the task asks for NOT NULL.');
    expect(schema).toContain('Table users has no column email (expected: TEXT).');
    expect(schema).toContain('Table users has a column mail the task does not ask for (check its name).');
  });

  test('1: a syntax error is named by lint and by the run, with its file and line', async () => {
    const verdict = await check(
      'create-table',
      answerWith('create-table', (t) => t.replace('DROP TABLE users")', 'DROP TABLE users"')),
    );
    const lint = verdict.checks.find((c) => c.title === CHECK_TITLES.lint)!;
    expect(lint.ok).toBe(false);
    expect(lint.problems[0]).toMatchObject({ file: '0001_create_users.lua', line: expect.any(Number) });
    expect(verdict.checks.find((c) => c.title === CHECK_TITLES.run)!.ok).toBe(false);
  });

  test('2: without a down, Verify says the file is not reversible', async () => {
    const start = failures(await check('write-down', lessonById('write-down')!.files));
    expect(Object.keys(start)).toEqual([CHECK_TITLES.verify]);
    expect(start[CHECK_TITLES.verify][0]).toMatch(/^0002_create_posts\.lua: down does not undo up/);
  });

  test('5: a down that deletes every role fails Verify only when rows were there before; wrong rows are named', async () => {
    const verdict = await check(
      'seed-data',
      answerWith('seed-data', (t) => t.replace("('editor')", "('editors')")),
    );
    expect(failures(verdict)['The roles after up']).toEqual([
      "SELECT name FROM roles ORDER BY name: row 2 is ('editors'); expected ('editor').",
    ]);
  });

  test("6: values spliced into SQL are named by line; the quote in O'Brien breaks the run", async () => {
    const start = failures(await check('prepared-statements', lessonById('prepared-statements')!.files));
    expect(start['Values go in as parameters'][0]).toMatch(/^Line \d+ splices a value into the SQL/);
    expect(start[CHECK_TITLES.run][0]).toMatch(/syntax error/i);
    expect(start[CHECK_TITLES.lint].length).toBeGreaterThan(0);
  });

  test('7: INSERT OR IGNORE keeps the rows right but is not the lesson: the savepoint check says so', async () => {
    const verdict = await check(
      'error-handling',
      answerWith('error-handling', () =>
        lessonById('error-handling')!.files[1].text.replace('INSERT INTO', 'INSERT OR IGNORE INTO'),
      ),
    );
    expect(failures(verdict)).toEqual({
      'Recovers with a savepoint': [
        '0002_default_settings.lua does not call db:savepoint(…): this lesson is about using it.',
        '0002_default_settings.lua does not call db:rollback_to(…): this lesson is about using it.',
      ],
    });
  });

  test('8: without a PostgreSQL block the file is skipped there, and the table is missing on PostgreSQL', async () => {
    const start = failures(await check('engine-blocks', lessonById('engine-blocks')!.files));
    expect(start['A block for SQLite and PostgreSQL'][0]).toMatch(/has no database\("postgres"/);
    expect(start[`${CHECK_TITLES.run} (PostgreSQL)`][0]).toMatch(/was skipped/);
    expect(start[`${CHECK_TITLES.schema} (PostgreSQL)`]).toEqual([
      'There is no table events after up: the task asks for it.',
    ]);
    expect(start[`${CHECK_TITLES.schema} (SQLite)`]).toBeUndefined();
  }, 240_000);

  test('9: a rebuild that forgets the index, and one whose down leaves the CHECK behind', async () => {
    const noIndex = failures(
      await check(
        'table-rebuild',
        answerWith('table-rebuild', (t) =>
          t.replace(/(up\(function\(db\)[\s\S]*?)local _, err = db:execute\("CREATE INDEX[^\n]*\n[^\n]*\n/, '$1'),
        ),
      ),
    );
    expect(noIndex[CHECK_TITLES.schema]).toEqual(['members: the index (email) is missing.']);
    const badDown = failures(
      await check(
        'table-rebuild',
        answerWith('table-rebuild', (t) =>
          t.replace(
            'CREATE TABLE members_old (id INTEGER PRIMARY KEY, name TEXT, email TEXT)',
            'CREATE TABLE members_old (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT)',
          ),
        ),
      ),
    );
    expect(badDown[CHECK_TITLES.verify][0]).toMatch(/^0002_require_member_name\.lua: down does not undo up \(.*name/);
  });

  test('10: a down that brings the column back empty fails Verify: the data is not restored', async () => {
    const verdict = failures(
      await check(
        'data-migration',
        answerWith('data-migration', (t) =>
          t.replace(/local _, err = db:execute\("UPDATE customers SET full_name[^\n]*\n[^\n]*\n/, ''),
        ),
      ),
    );
    expect(Object.keys(verdict)).toEqual([CHECK_TITLES.verify]);
    expect(verdict[CHECK_TITLES.verify][0]).toMatch(/^0002_split_names\.lua: down does not undo up/);
  });
});
