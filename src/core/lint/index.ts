/**
 * `moonwalk lint`'s engine: static checks of migration files. Pure (no Node or DOM APIs), so the playground's worker
 * can run it too. Every finding has a stable kebab-case code, a severity, the Lua line and a message that ends with a
 * one-line fix ("… Fix: …").
 *
 * The codes are the `LintCode` union (types.ts), each explained in docs/lint.md. analyze.ts checks one file: its Lua
 * and DSL use (dsl-walk.ts, dsl-block.ts), its SQL's obvious mistakes (statement-rules.ts) and PostgreSQL lock safety
 * (lock-safety.ts); this file runs it on each file, adds the one rule that looks across files
 * (missing-engine-block), and applies ignores and disabled codes.
 */
import { analyzeFile, type FileAnalysis } from './analyze.ts';
import { ENGINES } from '../driver.ts';
import { withoutIgnored } from './ignore.ts';
import type { LintFinding } from './types.ts';

export { LINT_CODES, type LintCode, type LintFinding, type Severity } from './types.ts';

export interface LintInput {
  /** The file name, e.g. `0001_create_users.lua`. */
  file: string;
  source: string;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface LintOptions {
  /** Codes turned off (a folder's `.moonwalk-lint.json`): their findings are dropped. */
  disabled?: Iterable<string>;
}

/**
 * Lints a set of migration files; findings are sorted by file, line and code. A finding silenced by a
 * `-- moonwalk:ignore CODE` comment (ignore.ts), or whose code is disabled, is left out.
 */
export function lintMigrations(files: LintInput[], options: LintOptions = {}): LintFinding[] {
  const disabled = new Set(options.disabled ?? []);
  const analyses: Array<{ file: string; analysis: FileAnalysis }> = files.map((f) => {
    const analysis = analyzeFile(f.file, f.source);
    analysis.findings = withoutIgnored(analysis.findings, f.source);
    return { file: f.file, analysis };
  });
  const findings: LintFinding[] = analyses.flatMap((a) => a.analysis.findings);

  // missing-engine-block: engines that other migrations target and this one lacks. The first file targeting each
  // engine, found once (a search per file made a thousand files cost a million steps).
  const firstTargeting = new Map<string, (typeof analyses)[number]>();
  for (const a of analyses) {
    for (const engine of a.analysis.migration?.engines ?? [])
      if (!firstTargeting.has(engine)) firstTargeting.set(engine, a);
  }
  for (const { file, analysis } of analyses) {
    const own = analysis.migration;
    if (own === null || own.unknownEngine) continue;
    for (const engine of ENGINES) {
      if (own.engines.has(engine)) continue;
      // This file lacks the engine, so the first file targeting it is another one.
      const other = firstTargeting.get(engine);
      if (other === undefined) continue;
      findings.push({
        code: 'missing-engine-block',
        severity: 'warning',
        file,
        line: own.line,
        message:
          `No database("${engine}") block, though ${other.file} targets ${engine}: on ${engine} this ` +
          'migration is skipped and stays pending, and later migrations may depend on it. ' +
          `Fix: add database("${engine}", function() up(function(db) … end) down(function(db) … end) end).`,
      });
    }
  }

  const order = (a: LintFinding, b: LintFinding): number =>
    cmp(a.file, b.file) || a.line - b.line || cmp(a.code, b.code) || cmp(a.message, b.message);
  const sorted = findings.filter((f) => !disabled.has(f.code)).sort(order);
  // A finding made twice (a statement reached through a helper called from two places) sits, once sorted, right
  // after its first copy (the sort is stable): comparing neighbours drops it without building a key per finding.
  return sorted.filter((f, i) => i === 0 || order(sorted[i - 1], f) !== 0);
}
