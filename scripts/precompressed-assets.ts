/**
 * Brotli for the playground's first load, done once at build time instead of on every request.
 *
 * `vite build` writes `<file>.br` (brotli, quality 11) beside every text or wasm file of the site up to
 * `MAX_PRECOMPRESSED_BYTES`; `vite preview` (`npm start`) sends that file, with `Content-Encoding: br`, to a browser
 * that accepts brotli (Chromium, Firefox and Safari do, on https and on localhost). Static hosts do the same with
 * such files (or compress with brotli themselves). Against the gzip that `vite preview` applies on the fly, brotli at
 * quality 11 takes about 14% off the JavaScript and the CSS, and compresses SQLite's wasm (which `vite preview` sends
 * as it is) to 291 KB instead of 688 KB.
 *
 * PGlite's files (several MB each) are left out: quality 11 on them would add half a minute to every build, they are
 * fetched only when PostgreSQL is chosen, and a static host compresses them on its own. `.data` files are never
 * compressed on the fly either (`pglite.data`: 6 MB gzipped per request cost 0.15–0.25 s of CPU).
 */
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import type { Plugin } from 'vite';

/** Files larger than this are served as they are (or gzipped on the fly, for text). */
export const MAX_PRECOMPRESSED_BYTES = 2 * 1024 * 1024;
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
};

/** The built file a request path names, or null when it names none (or tries to leave the folder). */
function builtFile(outDir: string, url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(url.split(/[?#]/)[0]!);
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
        if (size < MIN_PRECOMPRESSED_BYTES || size > MAX_PRECOMPRESSED_BYTES) continue;
        const compressed = brotliCompressSync(readFileSync(file), {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: size },
        });
        writeFileSync(`${file}.br`, compressed);
      }
    },
  };
}

/** `vite preview`: the `.br` beside a file when the browser accepts brotli; `.data` never compressed on the fly. */
export function previewPrecompressed(): Plugin {
  return {
    name: 'moonwalk:preview-precompressed',
    configurePreviewServer(server) {
      const outDir = resolve(server.config.root, server.config.build.outDir);
      server.middlewares.use((req, res, next) => {
        const url = req.url ?? '/';
        if (url.split('?')[0]!.endsWith('.data')) delete req.headers['accept-encoding'];
        if ((req.method !== 'GET' && req.method !== 'HEAD') || !/\bbr\b/.test(String(req.headers['accept-encoding'] ?? ''))) return next();
        const file = builtFile(outDir, url);
        const type = file ? CONTENT_TYPES[extname(file)] : undefined;
        if (!file || !type || !existsSync(`${file}.br`)) return next();
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
