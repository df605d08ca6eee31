/**
 * Failures as an agent can act on them (issue 17): the runner's error split into separate fields (file, Lua line,
 * phase, SQL, the engine's own message) plus a short `hint` saying what to change, where Moonwalk knows. The hints
 * reuse what lint already says (its messages end with "Fix: …") and add what only a run shows: a `down` that is
 * missing or leaves something behind, a statement whose error the code ignored, SQLite's DROP COLUMN and ALTER
 * COLUMN limits (the table-rebuild pattern), a runaway loop.
 */
import type { Engine } from '../../core/driver.ts';
import type { LintFinding } from '../../core/lint/index.ts';
import type { RunError } from '../../core/results.ts';
import type { SchemaChange } from '../../core/schema/types.ts';
import type { VerifyEntry } from '../../core/verify.ts';

/** A RunError with every part in a field of its own, and what to change. */
export interface AgentError {
  /** The runner's RunErrorCode; `refused` for a call refused before anything ran (bad input, a write, no --db). */
  code: string;
  migration: string | null;
  phase: string;
  message: string;
  file?: string;
  line?: number;
  sql?: string;
  /** The database engine's own words, when a statement failed. */
  engine_message?: string;
  hint?: string;
}

const REBUILD =
  'Where SQLite cannot change or drop a column in place (a key, UNIQUE, a foreign key, a view uses it): rebuild the table (the guide\'s "Complex Schema Changes"): ' +
  'CREATE TABLE t_new (the columns you want); INSERT INTO t_new (…) SELECT … FROM t; DROP TABLE t; ' +
  'ALTER TABLE t_new RENAME TO t; then create its indexes again. Do the reverse in down.';

/** The "Fix: …" part of a lint message. */
function fixOf(finding: LintFinding): string {
  const at = finding.message.indexOf('Fix: ');
  return at >= 0 ? finding.message.slice(at + 5) : finding.message;
}

/** The engine's message inside the runner's wording of an ignored statement failure. */
const IGNORED =
  /^(?:after hook failed: )?a statement failed and the code went on without handling it: ([\s\S]*?)\. Check the second return value/;

function hintFor(
  error: RunError,
  engine: Engine | null,
  findings: LintFinding[],
  engineMessage?: string,
): string | undefined {
  const text = `${error.message} ${engineMessage ?? ''}`;
  const sql = error.sql ?? '';
  // Lint's own words first, when it flags the very line that failed (a concatenated statement, a syntax error, …).
  const here = findings.find(
    (f) => f.file === error.file && f.line === error.line && (f.severity === 'error' || f.code === 'sql-concatenation'),
  );
  const indexed = /error in index (\S+) after drop column/.exec(text);
  if (engine === 'sqlite' && indexed)
    return `Drop the index first (DROP INDEX IF EXISTS ${indexed[1]}), then the column; create the index again in the reverse step. ${REBUILD}`;
  if (engine === 'sqlite' && /\bDROP\s+COLUMN\b/i.test(sql) && /drop column|cannot drop|syntax error/i.test(text))
    return REBUILD;
  if (
    engine === 'sqlite' &&
    /\bALTER\s+TABLE\b[\s\S]*\bALTER\s+(COLUMN\s+)?\w+/i.test(sql) &&
    /syntax error/i.test(text)
  )
    return REBUILD;
  if (here) return fixOf(here);
  if (error.code === 'not_revertible' && /has no down\(function\(db\)/.test(error.message))
    return 'Add down(function(db) … end) to that database block, undoing what up does in reverse order (DROP what it created).';
  if (error.code === 'instruction_limit' || error.code === 'time_limit')
    return `The code did not finish${error.line ? ` (it was at line ${error.line})` : ''}: look for a loop whose condition never changes, or recursion without an end.`;
  if (error.code === 'unhandled_statement') {
    return (
      'Fix the statement, and check every db:execute / db:query result so a failure stops at once: ' +
      'local r, err = db:execute(sql, params); if err then error(err) end.'
    );
  }
  if (error.phase === 'load') {
    const load = findings.find((f) => f.file === error.file && f.severity === 'error');
    if (load) return fixOf(load);
  }
  const concatenated = findings.find((f) => f.file === error.file && f.code === 'sql-concatenation');
  if (concatenated && error.sql) return fixOf(concatenated);
  return undefined;
}

/** The runner's error with its parts as fields and a hint. `findings`: lint's findings for the same files. */
export function agentError(error: RunError, engine: Engine | null, findings: LintFinding[]): AgentError {
  const ignored = IGNORED.exec(error.message);
  const engineMessage =
    ignored?.[1] ?? (error.sql !== undefined ? error.message.replace(/^[a-z]+ returned an error: /, '') : undefined);
  const hint = hintFor(error, engine, findings, engineMessage);
  return {
    code: error.code,
    migration: error.migration,
    phase: error.phase,
    message: error.message,
    ...(error.file !== undefined ? { file: error.file } : {}),
    ...(error.line !== undefined ? { line: error.line } : {}),
    ...(error.sql !== undefined ? { sql: error.sql } : {}),
    ...(engineMessage !== undefined ? { engine_message: engineMessage } : {}),
    ...(hint !== undefined ? { hint } : {}),
  };
}

/** What to put in down so that it undoes up, from what up + down left different (verify's `differences`). */
export function differencesHint(differences: SchemaChange[]): string | undefined {
  if (differences.length === 0) return undefined;
  const what = differences.slice(0, 5).map((change) => {
    const name = change.path.join('.');
    switch (change.kind) {
      case 'table_added':
        return `drop table ${name} (DROP TABLE IF EXISTS ${name})`;
      case 'index_added':
        return `drop index ${change.path.at(-1)} (DROP INDEX IF EXISTS ${change.path.at(-1)})`;
      case 'column_added':
        return `drop column ${name}`;
      case 'view_added':
      case 'trigger_added':
      case 'sequence_added':
      case 'enum_added':
      case 'function_added':
        return `drop the ${change.kind.replace('_added', '')} ${name}`;
      case 'rows_changed':
      case 'data_changed':
        return `remove the rows up wrote to ${name} (or restore those it changed)`;
      default:
        return change.kind.endsWith('_removed')
          ? `put back ${name}, which down removed though it existed before up`
          : `restore ${name} as it was before up (${change.kind.replaceAll('_', ' ')})`;
    }
  });
  const more = differences.length > 5 ? ` (and ${differences.length - 5} more, see differences)` : '';
  return `down does not undo up: in down, ${what.join('; ')}${more}.`;
}

/** A verify entry with its failure as an AgentError and a hint for what down leaves behind. */
export function agentVerifyEntry(entry: VerifyEntry, engine: Engine, findings: LintFinding[]) {
  const { failure, ...rest } = entry;
  // What down left behind comes first: it is also why an up run again after it fails (the index already exists).
  const hint = differencesHint(entry.differences) ?? (failure && agentError(failure, engine, findings).hint);
  return {
    ...rest,
    ...(failure !== undefined ? { failure: agentError(failure, engine, findings) } : {}),
    ...(hint !== undefined ? { hint } : {}),
  };
}
