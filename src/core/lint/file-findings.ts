/** The findings of one file, in the order its checks make them. */
import type { DslLintCode, LintFinding, Severity } from './types.ts';

export class FileFindings {
  readonly list: LintFinding[] = [];
  constructor(readonly file: string) {}

  report(code: DslLintCode, severity: Severity, line: number, message: string): void {
    this.list.push({ code, severity, file: this.file, line, message });
  }
}
