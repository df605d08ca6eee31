/**
 * `--format github` (DESIGN §5): failures and findings as GitHub Actions workflow commands, which the runner turns
 * into annotations on the pull request's files (`::error file=F,line=L::message`, `::warning …`, `::notice …`).
 * Printed beside the human lines on stdout; with `--json`, on stderr, so that stdout keeps its one document (the
 * runner reads workflow commands from both streams).
 *
 * Escaping is the runner's: in the message `%`, CR and LF; in a property value also `:` and `,`.
 */
import path from 'node:path';
import type { LintFinding } from '../core/lint/index.ts';
import type { MigrationSource } from '../core/migration-files.ts';
import { describeRunError, type RunError } from '../core/results.ts';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationProperties {
  file?: string;
  line?: number;
  title?: string;
}

function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** One workflow command line, e.g. `::error file=migrations/0002_x.lua,line=4::message`. */
export function annotation(level: AnnotationLevel, message: string, properties: AnnotationProperties = {}): string {
  const list = Object.entries(properties)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`);
  return `::${level}${list.length > 0 ? ` ${list.join(',')}` : ''}::${escapeData(message)}`;
}

const LEVEL: Record<LintFinding['severity'], AnnotationLevel> = { error: 'error', warning: 'warning', info: 'notice' };

/** Writes the annotations of one command: paths of migration files as the repository has them. */
export class GithubAnnotations {
  constructor(
    private readonly emit: (line: string) => void,
    private readonly dir: string,
    private readonly files: readonly MigrationSource[],
  ) {}

  /** A file of the migrations folder, relative to the working directory (the checkout, in a workflow). */
  path(file: string): string {
    return path.relative(process.cwd(), path.resolve(this.dir, file)).split(path.sep).join('/');
  }

  /** The path of migration `id`'s file, when there is one. */
  fileOf(id: string | null): string | undefined {
    const file = id === null ? undefined : this.files.find((f) => f.id === id)?.file;
    return file === undefined ? undefined : this.path(file);
  }

  lintFinding(finding: LintFinding): void {
    this.emit(
      annotation(LEVEL[finding.severity], finding.message, {
        file: this.path(finding.file),
        line: finding.line,
        title: finding.code,
      }),
    );
  }

  /** A run's error (on one `target`, for a fleet): on the failed migration's file and line when it has them. */
  runError(error: RunError, target?: string): void {
    const file = error.file !== undefined ? this.path(error.file) : this.fileOf(error.migration);
    const message = target === undefined ? describeRunError(error) : `${target}: ${describeRunError(error)}`;
    this.emit(annotation('error', message, { file, line: file ? error.line : undefined }));
  }

  /** Any other failure of one migration. */
  migrationError(id: string, message: string, line?: number): void {
    const file = this.fileOf(id);
    this.emit(annotation('error', message, { file, line: file ? line : undefined }));
  }
}
