/**
 * A `database(engine, function() … end)` block as lint reads it, and the checks made once the whole block is read:
 * its phases (missing-up, missing-down) and, with its options{} known, the lock safety of each phase's statements.
 */
import type { Expression } from 'luaparse';
import type { FileFindings } from './file-findings.ts';
import { lockSafetyFindings, type PhaseStatement } from './lock-safety.ts';

export interface DbBlock {
  engine: string | null;
  line: number;
  phases: Map<string, number>;
  /** What its options{ … } says, as far as the lint can read it. */
  outsideTransaction: boolean;
  lockTimeout: boolean;
  /** Each phase's statements, checked for lock safety once the whole block (options{} included) is read. */
  phaseStatements: PhaseStatement[][];
}

/** options{ transaction = false, lock_timeout = "…" }: the keys the lock-safety rules read, when written literally. */
export function readOptions(arg: Expression | undefined, block: DbBlock): void {
  if (arg === undefined || arg.type !== 'TableConstructorExpression') return;
  for (const field of arg.fields) {
    if (field.type !== 'TableKeyString') continue;
    if (field.key.name === 'transaction') {
      block.outsideTransaction = field.value.type === 'BooleanLiteral' && field.value.value === false;
    } else if (field.key.name === 'lock_timeout') block.lockTimeout = true;
  }
}

export function checkBlock(findings: FileFindings, block: DbBlock): void {
  const label = `database("${block.engine ?? '…'}")`;
  if (!block.phases.has('up')) {
    findings.report(
      'missing-up',
      'warning',
      block.line,
      `The ${label} block has no up(): nothing runs on this engine, and the runner may refuse the block. ` +
        'Fix: add up(function(db) … end) to it, or remove the block.',
    );
  } else if (!block.phases.has('down')) {
    findings.report(
      'missing-down',
      'warning',
      block.line,
      `The ${label} block has up() but no down(), so this migration cannot be reverted. ` +
        'Fix: add down(function(db) … end) that undoes what up does.',
    );
  }
}

/** The PostgreSQL lock-safety rules (and MySQL's online-DDL hint) on each phase of the block. */
export function checkLockSafety(findings: FileFindings, block: DbBlock): void {
  const engine = block.engine === 'postgres' || block.engine === 'mysql' ? block.engine : null;
  if (engine === null) return;
  for (const statements of block.phaseStatements) {
    findings.list.push(
      ...lockSafetyFindings({
        file: findings.file,
        engine,
        outsideTransaction: block.outsideTransaction,
        lockTimeout: block.lockTimeout,
        statements,
      }),
    );
  }
}
