/**
 * `moonwalk --version`: the version of the package this file belongs to. Found by walking up from this file to the
 * first package.json that has one, which works from the sources, from dist/ and from an installed package alike;
 * Node's fs only, so the command answers without loading anything else.
 */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  let dir = new URL('./', import.meta.url);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here: look one folder up
    }
    const parent = new URL('../', dir);
    if (parent.href === dir.href) return 'unknown';
    dir = parent;
  }
}
