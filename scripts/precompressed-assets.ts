/**
 * Brotli for the playground's first load, done once at build time instead of on every request.
 *
 * `vite build` writes `<file>.br` beside every text, wasm or data file of the site; `vite preview` (`npm start`)
 * sends that file, with `Content-Encoding: br`, to a browser that accepts brotli (Chromium, Firefox and Safari do,
 * on https and on localhost). Static hosts do the same with such files (or compress with brotli themselves).
 * - Up to `BEST_QUALITY_MAX_BYTES` (everything SQLite's first load needs), quality 11: against the gzip that
 *   `vite preview` applies on the fly it takes about 14% off the JavaScript and the CSS, and SQLite's wasm (which
 *   `vite preview` sends as it is) goes from 688 KB to 291 KB.
 * - PGlite's files (several MB each, fetched only for PostgreSQL) get quality 5: quality 11 on them would add half a
 *   minute to every build, quality 5 takes about 1.2 s and still brings PGlite's wasm from 8.7 MB to 2.8 MB and its
 *   data bundle from 6 MB to 1.3 MB.
 * Without brotli, `.data` files are sent as they are: `vite preview` would gzip them on the fly (a file without a
 * MIME type counts as text), and `pglite.data` cost 0.15–0.25 s of CPU per request that way.
 */
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import type { Plugin } from 'vite';

/** Files up to this size get brotli's best (and slowest) quality; larger ones a quick one. */
const BEST_QUALITY_MAX_BYTES = 2 * 1024 * 1024;
/** Below this, compression saves less than the header costs. */
const MIN_PRECOMPRESSED_BYTES = 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.data': 'application/octet-stream',
};

/** The built file a request path names, or null when it names none (or tries to leave the folder). */
function builtFile(outDir: string, url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(url.split(/[?#]/)[0]);
  } catch {
    return null;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = resolve(outDir, `.${path}`);
  return file.startsWith(outDir + sep) ? file : null;
}

export function precompressedAssets(): Plugin {
  let outDir = '';
  return {
    name: 'moonwalk:precompressed-assets',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!(extname(name) in CONTENT_TYPES)) continue;
        const file = join(outDir, name);
        const size = statSync(file).size;
        if (size < MIN_PRECOMPRESSED_BYTES) continue;
        const quality = size <= BEST_QUALITY_MAX_BYTES ? 11 : 5;
        const compressed = brotliCompressSync(readFileSync(file), {
          params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: size },
        });
        writeFileSync(`${file}.br`, compressed);
      }
    },
  };
}

/** `vite preview`: the `.br` beside a file when the browser accepts brotli; else `.data` never compressed on the fly. */
export function previewPrecompressed(): Plugin {
  return {
    name: 'moonwalk:preview-precompressed',
    configurePreviewServer(server) {
      const outDir = resolve(server.config.root, server.config.build.outDir);
      server.middlewares.use((req, res, next) => {
        const url = req.url ?? '/';
        const acceptsBrotli = /\bbr\b/.test(String(req.headers['accept-encoding'] ?? ''));
        const file = req.method === 'GET' || req.method === 'HEAD' ? builtFile(outDir, url) : null;
        const type = file ? CONTENT_TYPES[extname(file)] : undefined;
        if (!acceptsBrotli || !file || !type || !existsSync(`${file}.br`)) {
          if (url.split('?')[0].endsWith('.data')) delete req.headers['accept-encoding'];
          return next();
        }
        const { size } = statSync(`${file}.br`);
        res.setHeader('Content-Type', type);
        res.setHeader('Content-Encoding', 'br');
        res.setHeader('Content-Length', size);
        res.setHeader('Vary', 'Accept-Encoding');
        res.setHeader('Cache-Control', 'no-cache');
        if (req.method === 'HEAD') return res.end();
        createReadStream(`${file}.br`).on('error', next).pipe(res);
      });
    },
  };
}
