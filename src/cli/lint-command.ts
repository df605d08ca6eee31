/**
 * `moonwalk lint` (DESIGN §6): reads only the files, no database, no lock; exit 1 only for findings of severity
 * `error`. A module of its own, loaded by that command alone: it needs the lint rules and nothing that runs
 * migrations (the runner, the Lua VM, the drivers), so a lint of a large folder does not pay for loading them.
 */
import type { MigrationFile } from '../core/migration-files.ts';
import { plural } from '../core/plural.ts';
import { LINT_CODES } from '../core/lint/index.ts';
import { readLintConfig } from '../lib/migrations-dir.ts';
import { lintDocument } from '../lib/lint-document.ts';
import type { GithubAnnotations } from './github-annotations.ts';
import type { InspectIo } from './inspect.ts';

const OK = 0;
const FAILED = 1;

export function runLint(
  files: MigrationFile[],
  dir: string,
  io: InspectIo,
  json: boolean,
  github: GithubAnnotations | null = null,
): number {
  const { ok, findings } = lintDocument(files, { disabled: readLintConfig(dir, LINT_CODES) });
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (json) {
    io.out(JSON.stringify({ ok, findings }));
    if (github) for (const finding of findings) github.lintFinding(finding);
  } else {
    const prefix = dir === '' || dir === '.' ? '' : `${dir.replace(/[\\/]+$/, '')}/`;
    for (const f of findings) {
      io.out(`${prefix}${f.file}:${f.line} ${f.severity} ${f.code} ${f.message}`);
      github?.lintFinding(f);
    }
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    const infos = findings.length - errors - warnings;
    io.err(
      findings.length === 0
        ? `No findings in ${plural(files.length, 'migration file')}.`
        : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${infos} info in ${plural(files.length, 'file')}.`,
    );
  }
  return ok ? OK : FAILED;
}
