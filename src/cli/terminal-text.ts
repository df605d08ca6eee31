/**
 * Text from migration files and databases (Lua error messages, print output, descriptions, file names) is untrusted:
 * written raw, its control characters could clear the screen, move the cursor or rewrite a line, and Unicode's
 * direction overrides could reorder what is shown. Human output shows them escaped instead. JSON output never holds
 * raw control characters (JSON.stringify escapes them), and the direction overrides are escaped there the same way.
 *
 * In CI, a line of output that starts with `::` (or `##[`), after any spaces, is a workflow command to GitHub's runner
 * (`::error::`, `::add-mask::`, `::stop-commands::`): untrusted text cannot start one either.
 */

/** C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
      : `\\u${code.toString(16).toUpperCase()}`;
  });
}

/**
 * Untrusted text that may span lines, shown inside a block of output: its later lines are indented, so that it cannot
 * print a line that looks like the command's own (`+ 0002_x  applied`).
 */
export function indentLines(text: string, indent: string): string {
  return text.replace(/\r\n?|\n/g, `\n${indent}`);
}

/** A line that GitHub's runner would read as a workflow command (it trims leading spaces first). */
const WORKFLOW_COMMAND = /^([ \t]*)(::|##\[)/gm;

/** Text whose lines cannot start a workflow command: the first character of `::` / `##[` is escaped (`\x3A:`). */
export function workflowSafe(text: string): string {
  return text.replace(WORKFLOW_COMMAND, (_m, space: string, command: string) =>
    command === '::' ? `${space}\\x3A:` : `${space}\\x23#[`,
  );
}
