/**
 * The PostgreSQL lock-safety rules of `lint` (DESIGN §6, docs/lint.md): each fires on its case and stays quiet on the
 * safe form and on a table created in the same migration; `-- moonwalk:ignore`; lock_timeout silences only its own
 * rule; rules disabled for a folder; MySQL's online-DDL hint; the guide's examples have no errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { FilesError, readLintConfig } from '../../src/lib/migrations-dir.ts';
import { LINT_CODES, lintMigrations, type LintFinding } from '../../src/core/lint/index.ts';
import { LOCK_SAFETY_CODES } from '../../src/core/lint/types.ts';

/** A migration whose postgres block runs `sql` (one db:execute per entry, from line 6 on), after `options`. */
function file(sql: string[], options = '', engine = 'postgres'): string {
  return [
    'return require("migration").define(function()',
    '  migration("m", function()',
    `    database("${engine}", function()`,
    `      ${options}`,
    '      up(function(db)',
    ...sql.map((s) => (s.startsWith('--') ? s : `        db:execute(${JSON.stringify(s).replace(/\\"/g, '\\"')})`)),
    '      end)',
    '    end)',
    '  end)',
    'end)',
  ].join('\n');
}

function lint(source: string, disabled: string[] = []): LintFinding[] {
  return lintMigrations([{ file: '0001_m.lua', source }], { disabled });
}

/** [code, line] of the lock-safety findings. */
function codes(source: string): Array<[string, number]> {
  const ours = new Set<string>(LOCK_SAFETY_CODES);
  return lint(source)
    .filter((f) => ours.has(f.code))
    .map((f) => [f.code, f.line]);
}

const TIMEOUT = 'options{ lock_timeout = "5s" }';
const OUTSIDE = 'options{ transaction = false, lock_timeout = "5s" }';
const NEW_TABLE = 'CREATE TABLE t (id bigint PRIMARY KEY, name text, other_id bigint, at timestamptz)';

describe('each rule fires on its case, not on the safe form, not on a table created in the same migration', () => {
  const cases: Array<[string, string, string, string?]> = [
    // code, firing statement, safe statement, options for the safe one
    [
      'index-not-concurrent',
      'CREATE INDEX t_name ON t (name)',
      'CREATE INDEX CONCURRENTLY t_name ON t (name)',
      OUTSIDE,
    ],
    ['index-not-concurrent', 'DROP INDEX t_name', 'DROP INDEX CONCURRENTLY t_name', OUTSIDE],
    [
      'constraint-not-valid',
      'ALTER TABLE t ADD CONSTRAINT t_o FOREIGN KEY (other_id) REFERENCES o (id)',
      'ALTER TABLE t ADD CONSTRAINT t_o FOREIGN KEY (other_id) REFERENCES o (id) NOT VALID',
    ],
    [
      'constraint-not-valid',
      'ALTER TABLE t ADD CONSTRAINT t_c CHECK (id > 0)',
      'ALTER TABLE t ADD CONSTRAINT t_c CHECK (id > 0) NOT VALID',
    ],
    [
      'unique-without-index',
      'ALTER TABLE t ADD CONSTRAINT t_u UNIQUE (name)',
      'ALTER TABLE t ADD CONSTRAINT t_u UNIQUE USING INDEX t_name',
    ],
    [
      'unique-without-index',
      'ALTER TABLE t ADD PRIMARY KEY (id)',
      'ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_id',
    ],
    ['set-not-null', 'ALTER TABLE t ALTER COLUMN name SET NOT NULL', 'ALTER TABLE t ALTER COLUMN name DROP NOT NULL'],
    [
      'volatile-default',
      'ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid()',
      "ALTER TABLE t ADD COLUMN state text DEFAULT 'new'",
    ],
    ['volatile-default', 'ALTER TABLE t ADD COLUMN n bigserial', 'ALTER TABLE t ADD COLUMN n bigint'],
    [
      'column-type-change',
      'ALTER TABLE t ALTER COLUMN name TYPE varchar',
      "ALTER TABLE t ALTER COLUMN name SET DEFAULT 'x'",
    ],
    ['rename', 'ALTER TABLE t RENAME COLUMN name TO title', 'ALTER TABLE t RENAME CONSTRAINT a TO b'],
    ['rename', 'ALTER TABLE t RENAME TO things', 'ALTER TABLE t SET (fillfactor = 90)'],
    ['truncate-cascade', 'TRUNCATE t CASCADE', 'TRUNCATE t'],
  ];
  test.each(cases)('%s: %s', (code, firing, safe, options = TIMEOUT) => {
    expect(codes(file([firing], TIMEOUT))).toContainEqual([code, 6]);
    expect(codes(file([safe], options)).map(([c]) => c)).not.toContain(code);
    expect(codes(file([NEW_TABLE, 'CREATE INDEX t_name ON t (name)', firing], TIMEOUT))).toEqual([]);
  });

  test('CONCURRENTLY inside a transaction is flagged; options{ transaction = false } clears it', () => {
    expect(codes(file(['CREATE INDEX CONCURRENTLY t_name ON t (name)'], TIMEOUT))).toEqual([
      ['concurrently-in-transaction', 6],
    ]);
    expect(codes(file(['DROP INDEX CONCURRENTLY t_name'], TIMEOUT))).toEqual([['concurrently-in-transaction', 6]]);
    expect(codes(file(['CREATE INDEX CONCURRENTLY t_name ON t (name)'], OUTSIDE))).toEqual([]);
    // options{} after up() counts the same: the whole block is read first
    const after = file(['CREATE INDEX CONCURRENTLY t_name ON t (name)']).replace(
      '      end)\n    end)',
      '      end)\n      options{ transaction = false, lock_timeout = "1s" }\n    end)',
    );
    expect(codes(after)).toEqual([]);
  });

  test('identifiers over 63 bytes', () => {
    const long = 'x'.repeat(64);
    expect(codes(file([`CREATE TABLE ${long} (id bigint)`]))).toEqual([['identifier-too-long', 6]]);
    expect(codes(file([`CREATE TABLE ${'x'.repeat(63)} (id bigint)`]))).toEqual([]);
    // bytes, not characters: 32 two-byte letters
    expect(codes(file([`CREATE TABLE "${'é'.repeat(32)}" (id bigint)`]))).toEqual([['identifier-too-long', 6]]);
  });

  test('type hygiene is info, on new tables too', () => {
    const findings = lint(
      file([
        'CREATE TABLE t (a int, b serial, c timestamp, d varchar(20), e char(2), f bigint, g timestamptz, h text, i timestamp with time zone, j character varying(3))',
      ]),
    ).filter((f) => f.code.startsWith('prefer-') || f.code === 'no-char');
    expect(findings.map((f) => [f.code, f.severity, f.message.split(' ')[1]])).toEqual([
      ['no-char', 'info', 'e'],
      ['prefer-bigint', 'info', 'a'],
      ['prefer-bigint', 'info', 'b'],
      ['prefer-text', 'info', 'd'],
      ['prefer-text', 'info', 'j'],
      ['prefer-timestamptz', 'info', 'c'],
    ]);
  });
});

describe('lock_timeout', () => {
  test('a lock-taking statement on an existing table without it is flagged once, at the first such statement', () => {
    expect(codes(file(['SELECT 1', 'ALTER TABLE t ADD COLUMN a text', 'ALTER TABLE t ADD COLUMN b text']))).toEqual([
      ['missing-lock-timeout', 7],
    ]);
  });
  test('options{ lock_timeout } or a SET before the statement silence only that rule', () => {
    expect(codes(file(['ALTER TABLE t ADD COLUMN a text'], TIMEOUT))).toEqual([]);
    expect(codes(file(["SET lock_timeout = '5s'", 'ALTER TABLE t ADD COLUMN a text']))).toEqual([]);
    expect(codes(file(["SET LOCAL lock_timeout TO '5s'", 'ALTER TABLE t ALTER COLUMN a SET NOT NULL']))).toEqual([
      ['set-not-null', 7],
    ]);
    // a SET after the statement is too late
    expect(codes(file(['ALTER TABLE t ADD COLUMN a text', "SET lock_timeout = '5s'"]))).toEqual([
      ['missing-lock-timeout', 6],
    ]);
  });
  test('not on a table created in the same migration', () => {
    expect(codes(file([NEW_TABLE, 'ALTER TABLE t ADD COLUMN a text', 'CREATE INDEX t_a ON t (a)']))).toEqual([]);
  });
});

describe('silencing', () => {
  test('-- moonwalk:ignore CODE at the end of the line or on the line before, for that statement only', () => {
    const source = file(
      ['ALTER TABLE t ALTER COLUMN a SET NOT NULL', 'ALTER TABLE t ALTER COLUMN b SET NOT NULL'],
      TIMEOUT,
    );
    const lines = source.split('\n');
    lines[5] += ' -- moonwalk:ignore set-not-null';
    expect(codes(lines.join('\n'))).toEqual([['set-not-null', 7]]);
    const before = file(
      [
        '-- moonwalk:ignore set-not-null, rename',
        'ALTER TABLE t ALTER COLUMN a SET NOT NULL',
        'ALTER TABLE t ALTER COLUMN b SET NOT NULL',
      ],
      TIMEOUT,
    );
    expect(codes(before)).toEqual([['set-not-null', 8]]);
    // another code does not silence it
    lines[5] = lines[5].replace('set-not-null', 'rename');
    expect(codes(lines.join('\n'))).toEqual([
      ['set-not-null', 6],
      ['set-not-null', 7],
    ]);
  });
  test('a line is the Lua line of the call, whatever line of a long string the statement starts on', () => {
    const source = file([], TIMEOUT).replace(
      '      up(function(db)',
      '      up(function(db)\n        db:execute([[\n          SELECT 1;\n          ALTER TABLE t ALTER COLUMN a SET NOT NULL\n        ]])',
    );
    expect(codes(source)).toEqual([['set-not-null', 6]]);
  });
  test('a code disabled for the folder is dropped everywhere', () => {
    const source = file(['CREATE TABLE u (a int)', 'ALTER TABLE t ALTER COLUMN a SET NOT NULL'], TIMEOUT);
    expect(lint(source).map((f) => f.code)).toContain('set-not-null');
    expect(lint(source, ['prefer-bigint', 'set-not-null']).map((f) => f.code)).toEqual([
      'missing-down',
      'create-without-if-not-exists',
      'multiple-changes',
    ]);
  });
});

describe('findings', () => {
  test('are warnings with a one-line fix and a link to their section of docs/lint.md', () => {
    const finding = lint(file(['ALTER TABLE t ALTER COLUMN a TYPE bigint'], TIMEOUT)).find(
      (f) => f.code !== 'missing-down',
    );
    expect(finding).toMatchObject({ code: 'column-type-change', severity: 'warning', file: '0001_m.lua', line: 6 });
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE.* Fix: [^\n]+ \(docs\/lint\.md#column-type-change\)$/);
    const docs = fs.readFileSync(fileURLToPath(new URL('../../docs/lint.md', import.meta.url)), 'utf8');
    for (const code of LOCK_SAFETY_CODES) expect(docs).toContain(`### \`${code}\``);
  });

  test('MySQL blocks get the online DDL hint, not the PostgreSQL rules', () => {
    expect(codes(file(['CREATE INDEX t_name ON t (name)'], '', 'mysql'))).toEqual([['mysql-online-ddl', 6]]);
    expect(codes(file(['ALTER TABLE t ADD COLUMN a text, ALGORITHM=INPLACE, LOCK=NONE'], '', 'mysql'))).toEqual([]);
    expect(codes(file(['CREATE TABLE t (id int)', 'CREATE INDEX t_id ON t (id)'], '', 'mysql'))).toEqual([]);
  });

  test("the guide's examples have no errors", () => {
    const dir = fileURLToPath(new URL('../fixtures/guide/', import.meta.url));
    const files = fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.lua'))
      .map((name) => ({ file: name, source: fs.readFileSync(dir + name, 'utf8') }));
    expect(files.length).toBeGreaterThan(5);
    expect(lintMigrations(files).filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('a folder’s .moonwalk-lint.json', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moonwalk-lint-config-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('lists the codes to turn off; none without the file', () => {
    expect(readLintConfig(dir, LINT_CODES)).toEqual([]);
    fs.writeFileSync(path.join(dir, '.moonwalk-lint.json'), '{ "disable": ["prefer-bigint", "rename"] }');
    expect(readLintConfig(dir, LINT_CODES)).toEqual(['prefer-bigint', 'rename']);
  });

  test.each([
    ['{ "disable": ["prefer-bigints"] }', /names prefer-bigints, which lint does not have/],
    ['{ "disable": "rename" }', /must be JSON like \{ "disable": \["prefer-bigint"\] \}/],
    ['disable = rename', /must be JSON like/],
  ])('%s is refused with the file named', (text, message) => {
    fs.writeFileSync(path.join(dir, '.moonwalk-lint.json'), text);
    expect(() => readLintConfig(dir, LINT_CODES)).toThrow(FilesError);
    expect(() => readLintConfig(dir, LINT_CODES)).toThrow(message);
    expect(() => readLintConfig(dir, LINT_CODES)).toThrow(/\.moonwalk-lint\.json/);
  });
});
