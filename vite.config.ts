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
 * - PostgreSQL's data directory is prepared at build time (the `moonwalk:pglite-datadir` plugin,
 *   scripts/pglite-datadir.ts): initdb runs once in Node (again only when PGlite changes), and the worker starts PGlite
 *   from the result with `loadDataDir` instead of running initdb in the browser. It is a plugin, not a step of an npm
 *   script, so every way of building (`npm run build`, `npm start`, a bare `vite build`, the e2e tests, `vite` dev)
 *   gets it.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { pgliteDataDir } from './scripts/pglite-datadir.ts';

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

/**
 * `vite preview` (`npm start`) gzips on the fly every response whose type looks like text, and a file without a MIME
 * type counts as text: PGlite's 6 MB `pglite.data` was gzipped for each request (0.15–0.25 s of CPU, on the machine
 * that also runs the browser), while the wasm files beside it are sent as they are. Send `.data` as it is too.
 */
function previewBinaries(): Plugin {
  return {
    name: 'moonwalk:preview-binaries',
    configurePreviewServer(server) {
      server.middlewares.use((req, _res, next) => {
        if ((req.url ?? '').split('?')[0]!.endsWith('.data')) delete req.headers['accept-encoding'];
        next();
      });
    },
  };
}

const alias = {
  tmp: emptyModule,
  'readline-sync': emptyModule,
};

export default defineConfig({
  base: './',
  plugins: [pgliteDataDir(), previewBinaries(), fengariLuaconf(), react()],
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
