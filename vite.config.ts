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
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

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
  const guarded = 'const conf = (typeof process !== "undefined" && process.env.FENGARICONF ? ' +
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
          this.error(`fengari's luaconf.js: expected the FENGARICONF statement exactly once, found it ${count} times ` +
            '(fengari changed: check that the playground still loads, then update vite.config.ts)');
        }
        return { code: code.replace(statement, guarded), map: null };
      },
    },
  };
}

const alias = {
  tmp: emptyModule,
  'readline-sync': emptyModule,
};

export default defineConfig({
  base: './',
  plugins: [fengariLuaconf(), react()],
  resolve: { alias },
  worker: {
    format: 'es',
    plugins: () => [fengariLuaconf()],
    rolldownOptions: {
      output: {
        chunkFileNames: (chunk) => (/pglite/i.test(chunk.facadeModuleId ?? '') || chunk.name === 'dist' ? 'assets/pglite-[hash].js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  optimizeDeps: {
    exclude: ['@electric-sql/pglite'],
    // `vite` (dev) pre-bundles fengari with rolldown, where `process.env` is not replaced: guard it there too.
    rolldownOptions: { plugins: [fengariLuaconf()] },
  },
  build: {
    outDir: 'dist-web',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  preview: {
    port: 4173,
    strictPort: true,
  },
});
