/**
 * A lesson's Check, over the core and nothing else (no DOM): the engine worker runs it (engine-host.ts, request
 * `check`), and test/unit/lessons.test.ts runs it in Node. On throwaway databases only: the person's own database is
 * not touched.
 *
 * The checks every lesson has: lint finds no errors; the person's migrations run (`up`, all of them, on a fresh
 * database); the schema after `up` is the one the lesson's answer leaves, compared by meaning as Compare engines
 * compares (`compareEngineSnapshots`: type spellings of one family, constraint and index names do not count); and
 * verify passes (each `down` undoes its `up`, data included). Then the lesson's own checks (types.ts `LessonCheck`).
 * Each failure says what is wrong in the person's terms, and where (file, line) when that is known.
 */
import type { Driver, SqlValue } from '../../core/driver.ts';
import { lintMigrations } from '../../core/lint/index.ts';
import { analyzeFile } from '../../core/lint/analyze.ts';
import type { LuaHost } from '../../core/lua/host.ts';
import { Migrator } from '../../core/migrator.ts';
import { migrationFiles, type MigrationFile } from '../../core/migration-files.ts';
import { describeRunError, type RunError } from '../../core/results.ts';
import { compareEngineSnapshots, type EngineFinding } from '../../core/schema/compare-engines.ts';
import { plural } from '../../core/plural.ts';
import { readSnapshot, type Snapshot } from '../worker/schema.ts';
import { forPage } from '../worker/remedies.ts';
import { verifyMigrations } from '../worker/verify.ts';
import { ENGINE_LABELS, type EngineId, type SourceFile } from '../worker/protocol.ts';
import { codeOnly } from './lua-code.ts';
import type { CheckOutcome, Lesson, LessonCheck, LessonProblem, LessonVerdict } from './types.ts';

export interface CheckDeps {
  host: LuaHost;
  /** A new, empty database of `engine`; check closes it. */
  open(engine: EngineId): Promise<Driver>;
}

export const CHECK_TITLES = {
  lint: 'Lint finds no errors',
  run: 'Your migrations run',
  schema: 'The schema after up',
  verify: 'Verify: each down undoes its up',
} as const;

const outcome = (title: string, problems: LessonProblem[]): CheckOutcome => ({
  title,
  ok: problems.length === 0,
  problems,
});

export async function checkLesson(lesson: Lesson, files: SourceFile[], deps: CheckDeps): Promise<LessonVerdict> {
  const checks: CheckOutcome[] = [lintCheck(files)];
  const engines = lesson.engines ?? ['sqlite'];
  const mine = migrationFiles(files);
  for (const engine of engines) {
    const on = engines.length > 1 ? ` (${ENGINE_LABELS[engine]})` : '';
    checks.push(...(await runChecks(lesson, mine, engine, deps, on)));
    checks.push(await verifyCheck(mine, engine, deps, on));
  }
  for (const check of lesson.checks ?? []) {
    if (check.kind !== 'same-rows') checks.push(staticCheck(check, files));
  }
  return { lesson: lesson.id, passed: checks.every((c) => c.ok), checks };
}

// ---------------------------------------------------------------------------------------------------------------
// Lint

function lintCheck(files: SourceFile[]): CheckOutcome {
  const findings = lintMigrations(files.map((f) => ({ file: f.name, source: f.text })));
  return outcome(
    CHECK_TITLES.lint,
    findings.filter((f) => f.severity === 'error').map((f) => ({ message: f.message, file: f.file, line: f.line })),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The run, the schema and the rows it leaves

interface Ran {
  driver: Driver;
  error: RunError | null;
  skipped: string[];
}

async function runUp(files: MigrationFile[], engine: EngineId, deps: CheckDeps): Promise<Ran> {
  const driver = await deps.open(engine);
  const migrator = new Migrator({ driver, files, host: deps.host });
  try {
    const result = await migrator.up();
    const skipped = result.results.filter((r) => r.status === 'skipped').map((r) => r.id);
    return { driver, error: forPage(result.error), skipped };
  } finally {
    migrator.dispose();
  }
}

const fileOf = (files: MigrationFile[], id: string | null | undefined): string | undefined =>
  files.find((f) => f.id === id)?.file;

async function runChecks(
  lesson: Lesson,
  mine: MigrationFile[],
  engine: EngineId,
  deps: CheckDeps,
  on: string,
): Promise<CheckOutcome[]> {
  const yours = await runUp(mine, engine, deps);
  const expected = await runUp(migrationFiles(lesson.answer), engine, deps);
  try {
    if (expected.error) throw new Error(`the lesson's own answer failed: ${describeRunError(expected.error)}`);
    const problems: LessonProblem[] = [];
    if (yours.error) {
      const e = yours.error;
      problems.push({ message: describeRunError(e), file: e.file ?? fileOf(mine, e.migration), line: e.line });
    }
    for (const id of yours.skipped) {
      problems.push({
        message: `${fileOf(mine, id)} was skipped: it has no database("${engine}") block, so nothing of it ran on ${ENGINE_LABELS[engine]}.`,
        file: fileOf(mine, id),
      });
    }
    // A run that failed was rolled back: its schema says nothing more than the failure already does.
    if (yours.error) return [outcome(CHECK_TITLES.run + on, problems)];
    const [got, want] = await Promise.all([readSnapshot(yours.driver), readSnapshot(expected.driver)]);
    const rows: CheckOutcome[] = [];
    for (const check of lesson.checks ?? []) {
      if (check.kind === 'same-rows')
        rows.push(outcome(check.title + on, await sameRows(check.sql, yours.driver, expected.driver, lesson.file)));
    }
    return [
      outcome(CHECK_TITLES.run + on, problems),
      outcome(CHECK_TITLES.schema + on, schemaProblems(want, got, lesson.file)),
      ...rows,
    ];
  } finally {
    await Promise.all([yours.driver.close().catch(() => {}), expected.driver.close().catch(() => {})]);
  }
}

/** What differs between the expected schema and the person's, each difference as a sentence. */
function schemaProblems(want: Snapshot, got: Snapshot, file: string): LessonProblem[] {
  const { findings } = compareEngineSnapshots(want, got, ['the expected schema', 'yours']);
  return findings.map((f) => ({ message: describeFinding(f), file }));
}

const EXPECTED = 0;
const YOURS = 1;

export function describeFinding(f: EngineFinding): string {
  const [table, part] = f.path;
  const want = f.values[EXPECTED];
  const got = f.values[YOURS];
  const where = part === undefined ? `Table ${table}` : `${table}.${part}`;
  switch (f.kind) {
    case 'table_only':
      return want !== null
        ? `There is no table ${table} after up: the task asks for it.`
        : `Table ${table} is there after up, but the task does not ask for it.`;
    case 'view_only':
    case 'trigger_only':
      return want !== null ? `${where}: the ${want} is missing.` : `${where}: this ${got} is not asked for.`;
    case 'column_only':
      return want !== null
        ? `Table ${table} has no column ${part} (expected: ${want}).`
        : `Table ${table} has a column ${part} the task does not ask for (check its name).`;
    case 'column_type':
      return `Column ${where} is ${got}; the task asks for ${want}.`;
    case 'column_nullable':
      return `Column ${where} is ${got === 'NOT NULL' ? 'NOT NULL' : 'allowed to be NULL'}; the task asks for ${want === 'NOT NULL' ? 'NOT NULL' : 'NULL allowed'}.`;
    case 'column_default':
      return `Column ${where} has ${got === 'no default' ? 'no default' : `the default ${got}`}; the task asks for ${want === 'no default' ? 'no default' : want}.`;
    case 'column_key':
      return `Column ${where} is ${got}; the task asks for ${want} (INTEGER PRIMARY KEY on SQLite, SERIAL or an identity on PostgreSQL).`;
    case 'column_generated':
      return `Column ${where} is ${got}; the task asks for ${want}.`;
    case 'primary_key':
      return `${where}: the primary key is ${got}; the task asks for ${want}.`;
    case 'rows':
      return `${where} has ${got} after up; the task's answer has ${want}.`;
    case 'index_only':
      return want !== null ? `${table}: the index ${want} is missing.` : `${table}: the index ${got} is not asked for.`;
    case 'unique_only':
      return want !== null
        ? `${table}: the UNIQUE constraint ${want} is missing.`
        : `${table}: the UNIQUE constraint ${got} is not asked for.`;
    case 'index_changed':
      return `${table}: the index ${part} is ${got}; the task asks for ${want}.`;
    case 'foreign_key_only':
      return want !== null
        ? `${table}: the foreign key ${want} is missing.`
        : `${table}: the foreign key ${got} is not asked for.`;
    case 'foreign_key_changed':
      return `${table}: the foreign key ${part} has ${got}; the task asks for ${want}.`;
    case 'check_only':
      return want !== null ? `${table}: the check ${want} is missing.` : `${table}: the check ${got} is not asked for.`;
  }
}

const shown = (v: SqlValue): string =>
  v === null ? 'NULL' : v instanceof Uint8Array ? `${v.length} bytes` : typeof v === 'string' ? `'${v}'` : String(v);

const rowText = (row: SqlValue[]): string => `(${row.map(shown).join(', ')})`;

async function sameRows(sql: string, yours: Driver, expected: Driver, file: string): Promise<LessonProblem[]> {
  const want = await expected.query(sql, []);
  let got;
  try {
    got = await yours.query(sql, []);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ message: `${sql} could not run on your database after up: ${reason}.`, file }];
  }
  const w = want.rows.map(rowText);
  const g = got.rows.map(rowText);
  if (w.join('\n') === g.join('\n')) return [];
  if (w.length !== g.length)
    return [
      {
        message: `${sql} answers ${plural(g.length, 'row')} after up; expected ${plural(w.length, 'row')}: ${w.join(', ') || 'none'}.`,
        file,
      },
    ];
  const i = w.findIndex((row, k) => row !== g[k]);
  return [{ message: `${sql}: row ${i + 1} is ${g[i]}; expected ${w[i]}.`, file }];
}

// ---------------------------------------------------------------------------------------------------------------
// Verify

async function verifyCheck(
  mine: MigrationFile[],
  engine: EngineId,
  deps: CheckDeps,
  on: string,
): Promise<CheckOutcome> {
  const driver = await deps.open(engine);
  try {
    const report = await verifyMigrations(engine, driver, mine, deps.host);
    const problems: LessonProblem[] = [];
    for (const entry of report.migrations) {
      const file = fileOf(mine, entry.id);
      if (entry.outcome === 'irreversible') {
        const lines = entry.differences.map((d) => `${d.sign} ${d.text}`.trim());
        const what = lines.length > 0 ? `after up and down: ${lines.join('; ')}` : (entry.message ?? '');
        problems.push({ message: `${file}: down does not undo up${what ? ` (${what})` : ''}.`, file });
      } else if (entry.outcome === 'failed') {
        problems.push({ message: `${file}: ${entry.message ?? 'it failed'}.`, file, line: entry.error?.line });
      } else if (entry.reapplied === false) {
        problems.push({ message: `${file}: up does not run again after down (${entry.message ?? ''}).`, file });
      }
    }
    if (report.error) problems.push({ message: describeRunError(report.error) });
    return outcome(CHECK_TITLES.verify + on, problems);
  } finally {
    await driver.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The lesson's checks that read the code

function staticCheck(check: Exclude<LessonCheck, { kind: 'same-rows' }>, files: SourceFile[]): CheckOutcome {
  const source = files.find((f) => f.name === check.file)?.text;
  const missing = (title: string) =>
    outcome(title, [{ message: `${check.file} is gone: it is the file this lesson checks.` }]);
  switch (check.kind) {
    case 'parameters': {
      const title = 'Values go in as parameters';
      if (source === undefined) return missing(title);
      const problems: LessonProblem[] = lintMigrations([{ file: check.file, source }])
        .filter((f) => f.code === 'sql-concatenation')
        .map((f) => ({
          message: `Line ${f.line} splices a value into the SQL: write a ? there and pass the value in the parameter table (or to stmt:execute).`,
          file: check.file,
          line: f.line,
        }));
      const code = codeOnly(source);
      const usesParameters =
        /:prepare\s*\(/.test(code) || /:(?:execute|query)\s*\(\s*(?:S|[A-Za-z_][\w.]*)\s*,/.test(code);
      if (!usesParameters)
        problems.push({
          message: `${check.file} passes no parameters: use db:prepare("… ?") and stmt:execute({ … }), or db:execute("… ?", { … }).`,
          file: check.file,
        });
      return outcome(title, problems);
    }
    case 'calls': {
      if (source === undefined) return missing(check.title);
      const code = codeOnly(source);
      const absent = check.calls.filter((call) => !new RegExp(`:${call}\\s*\\(`).test(code));
      return outcome(
        check.title,
        absent.map((call) => ({
          message: `${check.file} does not call db:${call}(…): this lesson is about using it.`,
          file: check.file,
        })),
      );
    }
    case 'engine-blocks': {
      const title = `A block for ${check.engines.map((e) => ENGINE_LABELS[e]).join(' and ')}`;
      if (source === undefined) return missing(title);
      const has = analyzeFile(check.file, source).migration?.engines ?? new Set<string>();
      return outcome(
        title,
        check.engines
          .filter((e) => !has.has(e))
          .map((e) => ({
            message: `${check.file} has no database("${e}", function() … end) block: on ${ENGINE_LABELS[e]} it is skipped.`,
            file: check.file,
          })),
      );
    }
  }
}
