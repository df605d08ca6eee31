/**
 * Silencing findings (DESIGN §6): `-- moonwalk:ignore CODE` (several codes separated by spaces or commas) at the end
 * of a finding's line, or alone on the line before it, silences that finding only. Rules turned off for a whole
 * folder come from its `.moonwalk-lint.json` (read by the command; see docs/lint.md).
 */
import type { LintFinding } from './types.ts';

const IGNORE = /--\s*moonwalk:ignore\b([^\n]*)/;

interface IgnoreLine {
  codes: Set<string>;
  /** The line holds nothing but the comment: it speaks for the line after it. */
  alone: boolean;
}

/** The `moonwalk:ignore` comments of a file, by 1-based line. */
function ignoreLines(source: string): Map<number, IgnoreLine> {
  const lines = new Map<number, IgnoreLine>();
  if (!source.includes('moonwalk:ignore')) return lines;
  source.split('\n').forEach((text, i) => {
    const match = IGNORE.exec(text);
    if (!match) return;
    const codes = new Set(match[1].split(/[\s,]+/).filter((code) => /^[a-z0-9-]+$/.test(code)));
    lines.set(i + 1, { codes, alone: text.trimStart().startsWith('--') });
  });
  return lines;
}

/** The findings of one file that no `moonwalk:ignore` comment silences. */
export function withoutIgnored(findings: LintFinding[], source: string): LintFinding[] {
  const lines = ignoreLines(source);
  if (lines.size === 0) return findings;
  return findings.filter((f) => {
    if (lines.get(f.line)?.codes.has(f.code)) return false;
    const before = lines.get(f.line - 1);
    return !(before?.alone && before.codes.has(f.code));
  });
}
