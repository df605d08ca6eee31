/**
 * The rules on a phase's SQL statements, in the order they run: transaction control, CREATE without IF NOT EXISTS, up
 * dropping a table or a column, ADD COLUMN … NOT NULL without a default, and up changing unrelated objects.
 */
import type { Phase } from '../lua/host.ts';
import type { FileFindings } from './file-findings.ts';
import { LUA_EXPR, type StatementInfo } from './sql.ts';

export function checkStatements(
  findings: FileFindings,
  phase: Phase,
  engine: string | null,
  statements: StatementInfo[],
): void {
  const created = new Set<string>();
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i];
    if (s.kind === 'transaction') {
      findings.report(
        'transaction-control',
        'error',
        s.line,
        `SQL ${s.keyword} inside a migration: the runner owns the transaction, and ${s.keyword} would end it early. ` +
          'Fix: remove the statement; use SAVEPOINT / ROLLBACK TO for partial undo, error(err) to undo everything.',
      );
    }
    const target = s.objects[0] ?? LUA_EXPR;
    const shown = target === LUA_EXPR ? '' : ` ${target}`;
    // The new table of a table rebuild (created, filled, then renamed over the old one) must not exist yet: IF NOT
    // EXISTS there would hide a leftover from a failed run and copy into it.
    const rebuildTable =
      s.kind === 'create-table' &&
      target !== LUA_EXPR &&
      statements.slice(i + 1).some((later) => later.renames.some(([from]) => from === target));
    if (
      (s.kind === 'create-table' || (s.kind === 'create-index' && engine !== 'mysql')) &&
      !s.ifNotExists &&
      !rebuildTable
    ) {
      const what = s.kind === 'create-table' ? 'TABLE' : 'INDEX';
      findings.report(
        'create-without-if-not-exists',
        'info',
        s.line,
        `CREATE ${what}${s.kind === 'create-table' ? shown : ` on${shown || ' a table'}`} without IF NOT EXISTS fails if the object already exists. ` +
          `Fix: write CREATE ${what} IF NOT EXISTS so the migration can run again safely.`,
      );
    }
    if (phase === 'up' && s.kind === 'drop-table') {
      for (const table of s.objects) {
        if (table === LUA_EXPR || created.has(table)) continue;
        const rebuilt = statements.slice(i + 1).some((later) => later.renames.some(([, to]) => to === table));
        if (rebuilt) continue;
        findings.report(
          'destructive-change',
          'warning',
          s.line,
          `up drops table ${table} with all its rows; down cannot bring the data back. ` +
            'Fix: be sure the data is no longer needed (or copy it elsewhere first) and let down recreate the table.',
        );
      }
    }
    if (phase === 'up') {
      for (const col of s.dropColumns) {
        findings.report(
          'destructive-change',
          'warning',
          col.line,
          `up drops column ${col.column}${shown ? ` of${shown}` : ''} with its data; down cannot bring it back. ` +
            'Fix: be sure the data is no longer needed (or copy it first) before dropping the column.',
        );
      }
    }
    for (const col of s.addNotNull) {
      if (engine !== 'sqlite' && created.has(target)) continue; // the table is still empty
      const mysql = engine === 'mysql';
      findings.report(
        'destructive-change',
        mysql ? 'warning' : 'error',
        col.line,
        `ADD COLUMN ${col.column} … NOT NULL without a DEFAULT ${
          mysql
            ? "fills existing rows with the type's implicit default (0 or '') on MySQL"
            : engine === 'sqlite'
              ? 'is refused by SQLite'
              : 'fails as soon as the table has rows'
        }. ` + 'Fix: give the column a DEFAULT, or add it nullable, backfill it, then make it NOT NULL.',
      );
    }
    if (s.kind === 'create-table') for (const t of s.objects) created.add(t);
  }
  if (phase === 'up') checkMultipleChanges(findings, statements);
}

function checkMultipleChanges(findings: FileFindings, statements: StatementInfo[]): void {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const s of statements) {
    for (const [from, to] of s.renames) {
      const a = find(from);
      const b = find(to);
      if (a !== b) parent.set(b, a);
    }
  }
  const groups = new Map<string, string>(); // root → first name seen
  let secondLine: number | null = null;
  for (const s of statements) {
    if (!s.ddl) continue;
    for (const o of s.objects) {
      if (o === LUA_EXPR) continue;
      const root = find(o);
      if (!groups.has(root)) {
        groups.set(root, o);
        if (groups.size === 2) secondLine = s.line;
      }
    }
  }
  if (secondLine !== null) {
    const names = [...groups.values()];
    findings.report(
      'multiple-changes',
      'warning',
      secondLine,
      `up changes ${names.length} unrelated objects (${names.join(', ')}); a migration should make one logical change, ` +
        'so it can be reverted and reasoned about on its own. Fix: split it into one migration per change.',
    );
  }
}
