/**
 * Builds what the package ships (`npm run build:package`; `prepare` runs it, so `npm install` in a clone and `npm pack`
 * both do): plain JavaScript in lib/ that runs with no TypeScript, no patch-package and no build step on the user's
 * machine (DESIGN §8).
 *
 * - lib/launch.js + lib/capped-worker-thread.js: the `moonwalk` command (bin/moonwalk.js imports launch.js, which runs
 *   the command on its thread or starts capped-worker-thread.js); lib/lint.js: `moonwalk lint`, one file of its own;
 *   lib/index.js: the Node library (`moonwalk`); lib/browser.js: `moonwalk/browser`. Shared code is split into
 *   lib/chunks/, so a command loads only the chunks it uses (the engine drivers, lint, schema: on demand).
 * - fengari, patched by patches/fengari+0.1.5.patch, is bundled INTO these files: no fengari copy in the user's tree
 *   (hoisted, deduplicated, another version) can undo the fixes. The build refuses to run on an unpatched fengari.
 * - The engine drivers' own packages (better-sqlite3, pg, mysql2, PGlite, sql.js) stay imports: they are the
 *   package's `dependencies`, loaded only when a URL asks for them.
 * - lib/types/: the declarations (tsc --emitDeclarationOnly over src/lib).
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, 'lib');
/** Built beside lib/ and swapped in at the end: a command started meanwhile (a test) never sees half a build. */
const out = join(root, `lib.building-${process.pid}`);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Every line the patch adds must be in the installed fengari: bundling an unpatched copy would lose the fixes. */
function checkFengariPatched() {
  const patch = readFileSync(join(root, 'patches', 'fengari+0.1.5.patch'), 'utf8');
  let file = null;
  let text = '';
  const missing = [];
  for (const line of patch.split('\n')) {
    const target = /^\+\+\+ b\/(.+)$/.exec(line);
    if (target) {
      file = target[1];
      text = readFileSync(join(root, file), 'utf8');
    } else if (file && line.startsWith('+') && line.trim().length > 1 && !text.includes(line.slice(1))) {
      missing.push(`${file}: ${line.slice(1).trim()}`);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `node_modules/fengari is not patched (${missing.length} added lines missing, first: ${missing[0]}). ` +
        'Run npx patch-package (npm install does) and build again.',
    );
  }
}

/**
 * fengari's luaconf.js reads `process.env.FENGARICONF` unguarded when it loads: guarded for the browser entry, where
 * `process` is undefined (vite.config.ts does the same for the playground).
 */
const fengariLuaconf = {
  name: 'fengari-luaconf',
  setup(b) {
    const statement = 'const conf = (process.env.FENGARICONF ? JSON.parse(process.env.FENGARICONF) : {});';
    b.onLoad({ filter: /[\\/]fengari[\\/]src[\\/]luaconf\.js$/ }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      if (code.split(statement).length !== 2) throw new Error("fengari's luaconf.js changed: update the build");
      return {
        contents: code.replace(
          statement,
          statement.replace('(process.env', '(typeof process !== "undefined" && process.env'),
        ),
        loader: 'js',
      };
    });
  },
};

/** The dependencies stay imports (with their sub-paths); everything else is bundled. */
const dependencies = Object.keys(pkg.dependencies ?? {}).flatMap((name) => [name, `${name}/*`]);

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  legalComments: 'none',
  logLevel: 'warning',
  // fengari is CommonJS: its require() calls of Node modules need a real `require` in an ES module.
  external: dependencies,
};

checkFengariPatched();

await Promise.all([
  build({
    ...common,
    platform: 'node',
    target: 'node20',
    entryPoints: {
      launch: 'src/cli/launch.ts',
      'capped-worker': 'src/cli/capped-worker.ts',
      version: 'src/cli/version.ts',
      'capped-worker-thread': 'src/cli/capped-worker-thread.ts',
      // `moonwalk mcp`'s sandbox, started by code that lands in a chunk: beside the chunks (checked below).
      'chunks/sandbox-worker': 'src/cli/mcp/sandbox-worker.ts',
      index: 'src/lib/index.ts',
    },
    outdir: out,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    banner: {
      js: "import { createRequire as __moonwalkRequire } from 'node:module'; const require = __moonwalkRequire(import.meta.url);",
    },
  }),
  // `moonwalk lint`: one file with all it needs (bin/moonwalk.js imports it directly), no chunks to resolve and load.
  build({
    ...common,
    platform: 'node',
    target: 'node20',
    entryPoints: { lint: 'src/cli/lint-main.ts' },
    outdir: out,
    banner: {
      js: "import { createRequire as __moonwalkRequire } from 'node:module'; const require = __moonwalkRequire(import.meta.url);",
    },
  }),
  build({
    ...common,
    platform: 'browser',
    entryPoints: { browser: 'src/lib/browser.ts' },
    outdir: out,
    // fengari's Node-only branches (taken only where `process` exists) stay unresolved requires.
    external: [...dependencies, 'fs', 'os', 'path', 'child_process', 'tmp', 'readline-sync'],
    plugins: [fengariLuaconf],
  }),
]);

execFileSync(
  process.execPath,
  [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.types.json', '--outDir', join(out, 'types')],
  { cwd: root, stdio: 'inherit' },
);

/**
 * The declarations as a consumer's TypeScript reads them: relative imports name the `.js` files (the sources name
 * `.ts`), and fengari, which ships no types, gets the ambient module the sources use (src/types/fengari.d.ts).
 */
function finishDeclarations() {
  const types = join(out, 'types');
  const fengariTypes = join(types, 'types', 'fengari.d.ts');
  mkdirSync(dirname(fengariTypes), { recursive: true });
  copyFileSync(join(root, 'src', 'types', 'fengari.d.ts'), fengariTypes);
  for (const entry of readdirSync(types, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    let text = readFileSync(path, 'utf8').replace(/(from\s+'\.{1,2}\/[^']*)\.ts'/g, "$1.js'");
    if (/from 'fengari'/.test(text)) {
      text = `/// <reference path="${relative(dirname(path), fengariTypes).replaceAll('\\', '/')}" />\n${text}`;
    }
    writeFileSync(path, text);
  }
}
finishDeclarations();

/** Every `new URL('./x.js', import.meta.url)` (a worker's script) names a file the build wrote beside its chunk. */
function checkWorkerUrls() {
  for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const path = join(entry.parentPath, entry.name);
    for (const [, target] of readFileSync(path, 'utf8').matchAll(
      /new URL\(["'](\.\/[^"']+)["'], import\.meta\.url\)/g,
    )) {
      if (!existsSync(join(dirname(path), target))) {
        throw new Error(
          `${relative(out, path)} starts ${target}, which the build did not write: add it to the entries`,
        );
      }
    }
  }
}
checkWorkerUrls();

// `moonwalk mcp` serves the guide and the DSL reference as resources: it reads them from lib/docs/ (src/cli/mcp/server.ts).
mkdirSync(join(out, 'docs'), { recursive: true });
for (const doc of ['migration-guide.md', 'dsl.md']) copyFileSync(join(root, 'docs', doc), join(out, 'docs', doc));

rmSync(target, { recursive: true, force: true });
renameSync(out, target);
