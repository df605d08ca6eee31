/**
 * Per-file analysis: parses one migration file, walks its DSL use (dsl-walk.ts, which checks each call and hands each
 * phase's SQL to phase-walk.ts), then makes the checks on the file as a whole: it defines exactly one migration, and
 * which engines that migration targets (for missing-engine-block across files, index.ts).
 */
import { ENGINES } from '../driver.ts';
import { ENGINE_ALIASES, walkDsl } from './dsl-walk.ts';
import { FileFindings } from './file-findings.ts';
import { parseLua } from './lua.ts';
import type { LintFinding } from './types.ts';

export interface FileAnalysis {
  findings: LintFinding[];
  /** Present when the file parsed and defines a migration: its line and the engines it targets. */
  migration: { line: number; engines: Set<string>; unknownEngine: boolean } | null;
}

export function analyzeFile(file: string, source: string): FileAnalysis {
  const findings = new FileFindings(file);
  const parsed = parseLua(source);
  if (!parsed.ok) {
    findings.report(
      'syntax-error',
      'error',
      parsed.line,
      `Lua syntax error: ${parsed.message}. Fix: correct the Lua syntax at line ${parsed.line} so the file loads.`,
    );
    return { findings: findings.list, migration: null };
  }
  const dsl = walkDsl(parsed.chunk.body, findings);

  if (dsl.defineLine === null) {
    findings.report(
      'missing-define',
      'error',
      1,
      'The file does not return require("migration").define(fn), so the runner finds no migration in it. ' +
        'Fix: end the file with return require("migration").define(define_migration).',
    );
    return { findings: findings.list, migration: null };
  }
  const first = dsl.migrations[0];
  if (first === undefined) {
    findings.report(
      'missing-migration',
      'error',
      dsl.defineLine,
      'The function passed to define() never calls migration(...): a file must define exactly one migration. ' +
        'Fix: call migration("what it does", function() … end) once inside that function.',
    );
    return { findings: findings.list, migration: null };
  }
  for (const extra of dsl.migrations.slice(1)) {
    findings.report(
      'multiple-migrations',
      'error',
      extra.line,
      `A second migration(...) call (the first is on line ${first.line}): a file defines exactly one migration. ` +
        'Fix: move this migration into its own file.',
    );
  }
  const engines = new Set<string>();
  let unknownEngine = false;
  for (const block of first.blocks) {
    if (block.engine === null) unknownEngine = true;
    else {
      // A misspelt engine is reported as unknown-database; count it as the engine it was meant to be.
      const meant = ENGINE_ALIASES[block.engine.toLowerCase()] ?? block.engine.toLowerCase();
      if ((ENGINES as readonly string[]).includes(meant)) engines.add(meant);
    }
  }
  return { findings: findings.list, migration: { line: first.line, engines, unknownEngine } };
}
