/**
 * The built playground (`npm run build` writes it to dist-web/, and the package ships it) as `moonwalk play` serves
 * it: found beside the package.json of the package this file belongs to, from the sources, dist/ and an installed
 * package alike; MOONWALK_WEB_OUT names another build folder (as vite.config.ts reads it).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root: the first folder up from this file with a package.json named moonwalk. */
function packageRoot(): string | null {
  let dir = fileURLToPath(new URL('./', import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'moonwalk') return dir;
    } catch {
      // none here: one folder up
    }
    const parent = resolve(dir, '..');
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The built site's folder, or null when there is none (the command says to build it). */
export function siteFolder(env: Record<string, string | undefined>): string | null {
  const root = packageRoot();
  if (root === null) return null;
  const folder = resolve(root, env.MOONWALK_WEB_OUT ?? 'dist-web');
  return existsSync(join(folder, 'index.html')) ? folder : null;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.data': 'application/octet-stream',
  '.tar': 'application/octet-stream',
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
};

export interface SiteFile {
  bytes: Buffer;
  type: string;
}

/** The file at URL path `pathname` inside `folder` (`/` is index.html), or null: nothing outside the folder. */
export function siteFile(folder: string, pathname: string): SiteFile | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const file = resolve(folder, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  if (!file.startsWith(folder + sep)) return null;
  try {
    if (!statSync(file).isFile()) return null;
    return { bytes: readFileSync(file), type: TYPES[extname(file)] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}
