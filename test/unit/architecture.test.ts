// src/core must bundle for a browser worker unchanged: no Node APIs, no DOM. These checks read the sources.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

const NODE_BUILTINS =
  /from\s+['"](node:[^'"]+|fs|path|os|child_process|crypto|worker_threads|net|tls|http|https|url|util|stream|module)(\/[^'"]*)?['"]/;
// `require("migration")` and `require("sql")` are Lua, in strings; any other require is Node's.
const FORBIDDEN_GLOBALS =
  /\b(process\.|require\((?!\s*\\?["'](migration|sql)\\?["'])|createRequire|document\.|window\.|localStorage|Buffer\.|__dirname)/;

describe('src/core', () => {
  const files = sources(join(root, 'src', 'core'));

  test('has sources to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  test.each(files.map((f) => [relative(root, f), f]))('%s uses no Node or DOM API', (_name, file) => {
    const code = withoutComments(readFileSync(file, 'utf8'));
    expect(code).not.toMatch(NODE_BUILTINS);
    expect(code).not.toMatch(FORBIDDEN_GLOBALS);
  });

  // The core's errors carry a code; the command and the page phrase remedies (DESIGN §5). A flag in a core string
  // would be the command's words in the page's mouth. The flags are those the command's help and parser name.
  const FLAGS = [...new Set(readFileSync(join(root, 'src', 'cli', 'args.ts'), 'utf8').match(/--[a-z][a-z-]+/g) ?? [])];

  test('the command has flags to look for', () => {
    expect(FLAGS).toEqual(expect.arrayContaining(['--dry-run', '--allow-drift', '--max-instructions', '--db']));
  });

  test.each(files.map((f) => [relative(root, f), f]))('%s names no command-line flag', (_name, file) => {
    const code = withoutComments(readFileSync(file, 'utf8'));
    expect(FLAGS.filter((flag) => new RegExp(`${flag}(?![a-z-])`).test(code))).toEqual([]);
  });

  test('imports nothing from the drivers, the CLI or the web app', () => {
    for (const file of files) {
      expect(readFileSync(file, 'utf8'), relative(root, file)).not.toMatch(/from\s+['"][^'"]*\/(drivers|cli|web)\//);
    }
  });
});
