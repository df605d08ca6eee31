/**
 * The README's and docs/' links work in a clone of this repository alone: every relative link names a file that is
 * in it (issue 10 item 6; the guide used to be linked outside the repository).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pages = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs')).map((name) => join('docs', name)),
].filter((page) => page.endsWith('.md') && existsSync(join(ROOT, page)));

/** The targets of a page's Markdown links and images, without those that leave the repository on purpose. */
function localLinks(page: string): string[] {
  const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1].split('#')[0])
    .filter((target) => target !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('documentation links', () => {
  it('finds the pages and their links', () => {
    expect(pages).toContain('README.md');
    expect(localLinks('README.md')).toContain('docs/migration-guide.md');
  });

  it.each(pages)('%s links only to files of the repository', (page) => {
    const broken = localLinks(page).filter((target) => {
      const file = join(ROOT, dirname(page), target);
      return relative(ROOT, file).startsWith('..') || !existsSync(file);
    });
    expect(broken).toEqual([]);
  });
});
