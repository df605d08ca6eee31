// src/core must bundle for a browser worker unchanged: no Node APIs, no DOM. These checks read the sources.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
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

// ---------------------------------------------------------------------------------------------------------------------
// The import graph of src/: layers fenced, no cycles.

/** Every relative import of `file` (static, `export … from`, dynamic `import()`), as absolute paths. */
function importsOf(file: string): string[] {
  const code = withoutComments(readFileSync(file, 'utf8'));
  const specifiers = [
    ...code.matchAll(/\bfrom\s+['"](\.[^'"]+)['"]/g),
    ...code.matchAll(/\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g),
    ...code.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm),
  ].map((m) => m[1]);
  return specifiers.map((s) => join(dirname(file), s.replace(/\?.*$/, ''))).filter((p) => /\.tsx?$/.test(p));
}

const all = sources(join(root, 'src'));
const graph = new Map(all.map((file) => [file, importsOf(file)]));
const layer = (file: string): string => relative(join(root, 'src'), file).split(sep)[0];

describe('the import graph of src/', () => {
  test('every relative import names a file that exists', () => {
    const missing = [...graph].flatMap(([file, deps]) =>
      deps.filter((d) => !graph.has(d)).map((d) => `${relative(root, file)} → ${relative(root, d)}`),
    );
    expect(missing).toEqual([]);
  });

  test('has no cycles (type-only imports included)', () => {
    // Tarjan's strongly connected components: a component of more than one file is a cycle.
    let index = 0;
    const indices = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      indices.set(v, index);
      low.set(v, index++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!indices.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
      if (low.get(v) === indices.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(relative(root, w));
        } while (w !== v);
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
      }
    };
    for (const file of graph.keys()) if (!indices.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  test('each layer imports only the layers below it: core ← drivers ← lib ← cli, core ← drivers ← web', () => {
    const allowed: Record<string, readonly string[]> = {
      core: ['core'],
      drivers: ['core', 'drivers'],
      lib: ['core', 'drivers', 'lib'],
      cli: ['core', 'drivers', 'lib', 'cli'],
      web: ['core', 'drivers', 'web'],
    };
    const crossings = [...graph].flatMap(([file, deps]) =>
      deps
        .filter((d) => !(allowed[layer(file)] ?? []).includes(layer(d)))
        .map((d) => `${relative(root, file)} → ${relative(root, d)}`),
    );
    // src/types holds declarations for untyped packages (.d.ts), imported by no file.
    const layers = [...new Set(all.map(layer))].filter((name) => name !== 'types');
    expect(Object.keys(allowed)).toEqual(expect.arrayContaining(layers));
    expect(crossings).toEqual([]);
  });

  test('what the web app loads (its own files and the drivers it imports) uses no Node API', () => {
    const reached = new Set<string>();
    const walk = (file: string): void => {
      if (reached.has(file) || !graph.has(file)) return;
      reached.add(file);
      for (const dep of graph.get(file)!) walk(dep);
    };
    for (const file of all) if (layer(file) === 'web') walk(file);
    const browserDrivers = [...reached].filter((f) => layer(f) === 'drivers');
    expect(browserDrivers.map((f) => relative(root, f))).toEqual(
      expect.arrayContaining(['src/drivers/sqljs.ts', 'src/drivers/pglite.ts']),
    );
    const nodeOnly = [...reached].filter((file) => {
      const code = withoutComments(readFileSync(file, 'utf8'));
      return NODE_BUILTINS.test(code) || /\b(process\.|Buffer\.|__dirname|createRequire)/.test(code);
    });
    expect(nodeOnly.map((f) => relative(root, f))).toEqual([]);
  });

  test('the drivers import nothing from the command or the web app', () => {
    const drivers = all.filter((f) => layer(f) === 'drivers');
    expect(drivers.length).toBeGreaterThan(5);
    for (const file of drivers) {
      expect(readFileSync(file, 'utf8'), relative(root, file)).not.toMatch(/from\s+['"][^'"]*\/(cli|web)\//);
    }
  });
});
