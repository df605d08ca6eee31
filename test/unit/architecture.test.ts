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
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    expect(code).not.toMatch(NODE_BUILTINS);
    expect(code).not.toMatch(FORBIDDEN_GLOBALS);
  });

  test('imports nothing from the drivers, the CLI or the web app', () => {
    for (const file of files) {
      expect(readFileSync(file, 'utf8'), relative(root, file)).not.toMatch(/from\s+['"][^'"]*\/(drivers|cli|web)\//);
    }
  });
});
