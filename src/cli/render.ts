/** Human output of the runner's results: one line per migration with its duration, then the error in full. */
import { describeRunError, type MigrationResult, type RunResult, type StatusResult } from '../core/results.ts';
import { plural } from '../core/plural.ts';
import type { LockInfo } from '../core/driver.ts';
import { indentLines } from './terminal-text.ts';

const MARK: Record<MigrationResult['status'], string> = {
  applied: '+',
  reverted: '-',
  skipped: '~',
  failed: '!',
  rolled_back: 'x',
};

export function renderResultLine(result: MigrationResult): string {
  const reason = result.reason ? `: ${result.reason}` : '';
  const attempts = result.attempts !== undefined && result.attempts > 1 ? `, ${result.attempts} attempts` : '';
  return `${MARK[result.status]} ${result.id}  ${result.status.replace('_', ' ')}${reason}  (${formatMs(result.duration_ms)}${attempts})`;
}

/** What a run that found nothing to do says: redo reverts and re-applies applied migrations, so it has its own. */
const NOTHING_TO_DO: Record<'up' | 'down' | 'redo', string> = {
  up: 'Nothing to apply: the database is up to date.',
  down: 'Nothing to revert.',
  redo: 'Nothing to redo: no migration is applied.',
};

export function renderRunSummary(result: RunResult, verb: 'up' | 'down' | 'redo'): string {
  const lines: string[] = [];
  if (result.statements) {
    lines.push('', `Dry run: ${result.statements.length} statement(s) would run, then everything was rolled back:`);
    for (const s of result.statements) {
      const params = s.params.length ? `  -- ${JSON.stringify(s.params, jsonValue)}` : '';
      lines.push(`  [${s.migration}] ${s.sql.trim().replace(/\s+/g, ' ')}${params}`);
    }
  }
  if (result.error) {
    lines.push('', `Error: ${describeRunError({ ...result.error, message: indentLines(result.error.message, '  ') })}`);
    return lines.join('\n');
  }
  const counted = result.results.filter((r) => r.status === 'applied' || r.status === 'reverted');
  const total = result.results.reduce((sum, r) => sum + r.duration_ms, 0);
  if (result.results.length === 0) {
    lines.push(NOTHING_TO_DO[verb]);
  } else if (!result.statements) {
    const action = verb === 'down' ? 'Reverted' : verb === 'redo' ? 'Redid' : 'Applied';
    lines.push(`${action} ${plural(counted.length, 'migration')} in ${formatMs(total)}.`);
  }
  return lines.join('\n');
}

export function renderStatus(status: StatusResult, target: string, lock?: LockInfo): string {
  const lines = [`${target} (${status.engine})`];
  if (lock) lines.push(`  run lock: ${lock.strategy === 'table' ? 'lock table' : 'advisory lock'} (${lock.reason})`);
  if (status.migrations.length === 0) lines.push('  no migrations');
  const width = Math.max(0, ...status.migrations.map((m) => m.id.length));
  for (const m of status.migrations) {
    const when = m.applied_at ? `  ${m.applied_at}` : '';
    lines.push(`  ${m.status.padEnd(8)} ${m.id.padEnd(width)}  ${m.description.replace(/\r\n?|\n/g, ' ')}${when}`);
  }
  const pending = status.migrations.filter((m) => m.status === 'pending').length;
  const drift = status.migrations.filter((m) => m.status === 'modified' || m.status === 'missing').length;
  lines.push(`${pending} pending${drift ? `, ${drift} modified or missing (up stops until that is resolved)` : ''}.`);
  return lines.join('\n');
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** JSON.stringify's replacer: a bigint (a 64-bit parameter) as its digits, bytes as hex, Infinity and NaN as words. */
export function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  // JSON has no Infinity or NaN: JSON.stringify would print null, a different value (an Infinity parameter of a dry run).
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  return value;
}
