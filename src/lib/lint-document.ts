/**
 * `moonwalk lint --json` as plain data, for the command, the library and the MCP server. A file of its own (re-exported
 * by documents.ts) so that lint loads neither the runner nor the Lua VM: it reads files, it runs nothing.
 */
import type { MigrationSource } from '../core/migration-files.ts';
import { lintMigrations, type LintFinding, type LintOptions } from '../core/lint/index.ts';

/** `moonwalk lint --json`: `ok` is false only for findings of severity `error`. */
export type LintDocument = {
  ok: boolean;
  findings: LintFinding[];
};

export function lintDocument(files: readonly MigrationSource[], options: LintOptions = {}): LintDocument {
  const findings = lintMigrations(
    files.map((f) => ({ file: f.file, source: f.source })),
    options,
  );
  return { ok: !findings.some((f) => f.severity === 'error'), findings };
}
