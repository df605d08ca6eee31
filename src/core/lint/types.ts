/**
 * What lint answers, and every code it can answer with. No imports: the rule files (dsl-walk.ts, statement-rules.ts,
 * lock-safety.ts, …) and the entry (index.ts) all read these, so nothing here may read them back.
 *
 * Adding a rule: its code goes in one of the lists below, its check in the rule file of its kind, its section
 * (`### \`code\``) in docs/lint.md; test/unit/lint.test.ts checks that every code has one. See CONTRIBUTING.md.
 */

export type Severity = 'error' | 'warning' | 'info';

/** The codes of the checks of a file's Lua, its DSL use and its SQL (analyze.ts and what it runs; index.ts's one). */
export const DSL_LINT_CODES = [
  'syntax-error',
  'missing-define',
  'missing-migration',
  'multiple-migrations',
  'misplaced-call',
  'invalid-argument',
  'unknown-database',
  'duplicate-database',
  'duplicate-phase',
  'sql-concatenation',
  'destructive-change',
  'transaction-control',
  'refused-statement',
  'missing-up',
  'missing-down',
  'multiple-changes',
  'missing-engine-block',
  'create-without-if-not-exists',
] as const;
export type DslLintCode = (typeof DSL_LINT_CODES)[number];

/** The codes of the PostgreSQL lock-safety pack (lock-safety.ts). */
export const LOCK_SAFETY_CODES = [
  'index-not-concurrent',
  'concurrently-in-transaction',
  'constraint-not-valid',
  'unique-without-index',
  'set-not-null',
  'volatile-default',
  'column-type-change',
  'rename',
  'missing-lock-timeout',
  'truncate-cascade',
  'identifier-too-long',
  'prefer-bigint',
  'prefer-timestamptz',
  'prefer-text',
  'no-char',
  'mysql-online-ddl',
] as const;
export type LockSafetyCode = (typeof LOCK_SAFETY_CODES)[number];

/** Every code a finding can have (a folder's `.moonwalk-lint.json` may name only these). */
export const LINT_CODES: readonly LintCode[] = [...DSL_LINT_CODES, ...LOCK_SAFETY_CODES];
export type LintCode = DslLintCode | LockSafetyCode;

export interface LintFinding {
  code: LintCode;
  severity: Severity;
  file: string;
  line: number;
  message: string;
}
