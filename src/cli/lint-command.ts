/**
 * `moonwalk lint` (DESIGN §6): reads only the files, no database, no lock; exit 1 only for findings of severity
 * `error`. A module of its own, loaded by that command alone: it needs the lint rules and nothing that runs
 * migrations (the runner, the Lua VM, the drivers), so a lint of a large folder does not pay for loading them. The
 * bin runs it bundled into one file (lint-main.ts); runCommand reaches the same function.
 */
import type { ArgsOf } from './args.ts';
import type { MigrationSource } from '../core/migration-files.ts';
import { plural } from '../core/plural.ts';
import { LINT_CODES, type LintFinding } from '../core/lint/index.ts';
import { readLintConfig, readMigrationSources } from '../lib/migrations-dir.ts';
import { lintDocument } from '../lib/lint-document.ts';
import { EXIT, fail, type Io } from './command-io.ts';
import { withEnvFile } from './env-file.ts';
import { GithubAnnotations } from './github-annotations.ts';
import type { InspectIo } from './inspect.ts';

/** `moonwalk lint` once its command line is read (command-io.ts's startCommand): answers the exit code. */
export function lintCommand(args: ArgsOf<'lint'>, io: Io, annotate: ((line: string) => void) | null): number {
  const json = args.flags.json === true;
  try {
    const env = withEnvFile(io.env, args.flags['env-file']);
    const dir = args.flags.dir ?? env.MOONWALK_DIR ?? 'migrations';
    const files = readMigrationSources(dir);
    const github = annotate ? new GithubAnnotations(annotate, dir, files) : null;
    return runLint(files, dir, io, json, github);
  } catch (error) {
    return fail(io, json, error, annotate, { name: 'lint', url: '' });
  }
}

export function runLint(
  files: MigrationSource[],
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
    const line = (f: LintFinding) => `${prefix}${f.file}:${f.line} ${f.severity} ${f.code} ${f.message}`;
    if (github) {
      // Each finding's annotation right after its line, as GitHub's log shows them.
      for (const f of findings) {
        io.out(line(f));
        github.lintFinding(f);
      }
    } else if (findings.length > 0) {
      // One write for all the lines: on a large folder a write per finding cost more than some of the rules.
      io.out(findings.map(line).join('\n'));
    }
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    const infos = findings.length - errors - warnings;
    io.err(
      findings.length === 0
        ? `No findings in ${plural(files.length, 'migration file')}.`
        : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${infos} info in ${plural(files.length, 'file')}.`,
    );
  }
  return ok ? EXIT.ok : EXIT.failed;
}
