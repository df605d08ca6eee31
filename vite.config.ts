/**
 * The playground's build (DESIGN §7). Settings that matter (see ENGINE-NOTES "In the browser"):
 * - `worker.format: 'es'`: the worker imports PGlite with a dynamic `import()`; with the default IIFE format the
 *   build succeeds but bundles all of PGlite into the worker.
 * - PGlite is excluded from dependency pre-bundling (its Emscripten glue finds its wasm/data next to itself).
 * - sql.js: the `browser` export (`sql-wasm-browser.js`) is chosen by the resolver; its wasm comes through a `?url`
 *   import and `locateFile` (src/web/worker/engines.ts).
 * - fengari only stays on its browser paths because `process` is undefined: no `process` polyfill and no `define`
 *   of `process`. It `require`s `tmp` and `readline-sync` on Node-only paths: they are aliased to an empty module.
 *   fengari's luaconf.js reads `process.env.FENGARICONF` unguarded when it loads. `vite build` happens to survive
 *   that (Vite defines `process.env` as `{}` in app builds), but the dev server's dependency pre-bundling does not:
 *   the worker died with "ReferenceError: process is not defined". The `fengari-luaconf` plugin guards that one
 *   statement, in that one file, for the build, the worker build and the dev pre-bundling alike.
 * - The engine worker's entry is a tiny script that starts SQLite's wasm at once and imports the rest of the worker;
 *   the `moonwalk:worker-preload` plugin starts that rest's own imports at the same time (docs/playground.md, Loading).
 * - PostgreSQL's data directory is prepared at build time (the `moonwalk:pglite-datadir` plugin,
 *   scripts/pglite-datadir.ts): initdb runs once in Node (again only when PGlite changes), and the worker starts PGlite
 *   from the result with `loadDataDir` instead of running initdb in the browser. It is a plugin, not a step of an npm
 *   script, so every way of building (`npm run build`, `npm start`, a bare `vite build`, the e2e tests, `vite` dev)
 *   gets it.
 * - The text and wasm files of the site are brotli-compressed at build time and `vite preview` serves those to a
 *   browser that accepts brotli (scripts/precompressed-assets.ts).
 */
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { pgliteDataDir } from './scripts/pglite-datadir.ts';
import { precompressedAssets, previewPrecompressed } from './scripts/precompressed-assets.ts';

const emptyModule = fileURLToPath(new URL('./src/web/empty-module.ts', import.meta.url));

/**
 * fengari's luaconf.js reads its configuration with
 *   const conf = (process.env.FENGARICONF ? JSON.parse(process.env.FENGARICONF) : {});
 * at load, unguarded, so it throws a ReferenceError where `process` is undefined (a Web Worker). This rewrites that
 * one statement, in that one file, to guard on `typeof process`; everything else in fengari keeps seeing `process`
 * as undefined and stays on its browser paths. The build fails if the statement is not found exactly once.
 */
function fengariLuaconf(): Plugin {
  const statement = 'const conf = (process.env.FENGARICONF ? JSON.parse(process.env.FENGARICONF) : {});';
  const guarded =
    'const conf = (typeof process !== "undefined" && process.env.FENGARICONF ? ' +
    'JSON.parse(process.env.FENGARICONF) : {});';
  const file = /[\\/]fengari[\\/]src[\\/]luaconf\.js$/;
  return {
    name: 'moonwalk:fengari-luaconf',
    enforce: 'pre',
    transform: {
      filter: { id: file },
      handler(code, id) {
        if (!file.test(id)) return null;
        const count = code.split(statement).length - 1;
        if (count !== 1) {
          this.error(
            `fengari's luaconf.js: expected the FENGARICONF statement exactly once, found it ${count} times ` +
              '(fengari changed: check that the playground still loads, then update vite.config.ts)',
          );
        }
        return { code: code.replace(statement, guarded), map: null };
      },
    },
  };
}

/**
 * The engine worker's entry (src/web/worker/worker-entry.ts) loads the rest of the worker with `import()`. The
 * browser would discover that chunk's own imports (rolldown's runtime, schema modules it shares with chunks loaded
 * later) only once it has downloaded and parsed it: one more round trip before SQLite can open. A document gets
 * Vite's modulepreload for this; a worker does not, so this starts those imports together with the chunk itself
 * (an `import()` of each, at the top of the entry; the module map makes them the same modules the chunk imports).
 */
function workerPreload(): Plugin {
  return {
    name: 'moonwalk:worker-preload',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || !/[\\/]worker-entry\.ts$/.test(chunk.facadeModuleId ?? '')) continue;
        const deps = new Set<string>();
        for (const name of chunk.dynamicImports) {
          const target = bundle[name];
          if (target?.type === 'chunk') for (const dep of target.imports) deps.add(dep);
        }
        deps.delete(chunk.fileName); // the entry itself (the rest imports what it shares with the entry)
        const from = posix.dirname(chunk.fileName);
        const preload = [...deps]
          .map((dep) => `import(${JSON.stringify(`./${posix.relative(from, dep)}`)}).catch(() => {});`)
          .join('');
        chunk.code = preload + chunk.code;
      }
    },
  };
}

const alias = {
  tmp: emptyModule,
  'readline-sync': emptyModule,
};

export default defineConfig({
  base: './',
  plugins: [pgliteDataDir(), precompressedAssets(), previewPrecompressed(), fengariLuaconf(), react()],
  resolve: { alias },
  worker: {
    format: 'es',
    plugins: () => [fengariLuaconf(), workerPreload()],
    rolldownOptions: {
      output: {
        chunkFileNames: (chunk) =>
          /pglite/i.test(chunk.facadeModuleId ?? '') || chunk.name === 'dist'
            ? 'assets/pglite-[hash].js'
            : 'assets/[name]-[hash].js',
      },
    },
  },
  optimizeDeps: {
    exclude: ['@electric-sql/pglite'],
    // `vite` (dev) pre-bundles fengari with rolldown, where `process.env` is not replaced: guard it there too.
    rolldownOptions: { plugins: [fengariLuaconf()] },
  },
  build: {
    // MOONWALK_WEB_OUT: another folder for the built site, so that two builds at once (test runs side by side) do not
    // overwrite each other. The default is the one everything else names.
    outDir: process.env.MOONWALK_WEB_OUT ?? 'dist-web',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  preview: {
    port: 4173,
    strictPort: true,
  },
});
