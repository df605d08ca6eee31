/**
 * The playground's trace view in a real browser (Debian's Chromium through playwright-core, on the built site): on
 * PostgreSQL (PGlite in the page's worker) each applied step shows, under it in the Timeline, the relation locks each
 * statement took and the tables it rewrote, and names each lock that blocks reads or writes on a table that existed
 * before, with the lint code of the risk. Files come in through a share link (which shows the code and runs nothing).
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { encodeShare } from '../../src/web/share.ts';
import { usePlayground } from './harness.ts';

const playground = usePlayground();

/** A PostgreSQL migration whose up runs `statements` (after `options`, if given) and whose down runs `down`. */
function postgresFile(name: string, statements: string[], down: string[], options = '') {
  const exec = (sql: string) => `            assert(db:execute("${sql}"))`;
  return {
    name,
    text: [
      'return require("migration").define(function()',
      `    migration("${name}", function()`,
      '        database("postgres", function()',
      ...(options ? [`            ${options}`] : []),
      '            up(function(db)',
      ...statements.map(exec),
      '            end)',
      '            down(function(db)',
      ...down.map(exec),
      '            end)',
      '        end)',
      '    end)',
      'end)',
      '',
    ].join('\n'),
  };
}

const FILES = [
  postgresFile('0001_items.lua', ['CREATE TABLE items (id integer PRIMARY KEY, name text)'], ['DROP TABLE items']),
  postgresFile('0002_index.lua', ['CREATE INDEX items_name ON items (name)'], ['DROP INDEX items_name']),
  postgresFile(
    '0003_index_concurrently.lua',
    ['CREATE INDEX CONCURRENTLY items_name_c ON items (name)'],
    ['DROP INDEX CONCURRENTLY items_name_c'],
    'options{ transaction = false }',
  ),
  postgresFile(
    '0004_column_type.lua',
    ['ALTER TABLE items ALTER COLUMN id TYPE bigint'],
    ['ALTER TABLE items ALTER COLUMN id TYPE integer'],
  ),
];

/** A fresh profile on a share link holding FILES on PostgreSQL; resolves once PGlite is ready in the page. */
async function openOnPostgres(): Promise<{ page: Page; errors: string[] }> {
  const context = await playground.context();
  await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${playground.preview.url}#${encodeShare({ files: FILES, engine: 'postgres', selected: null })}`);
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toBe('PostgreSQL ready');
  return { page, errors };
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The Timeline's steps of this session, newest last. */
function steps(page: Page): Locator {
  return page
    .getByRole('tabpanel', { name: 'Timeline' })
    .getByRole('list', { name: 'Steps of this session, oldest first' })
    .locator(':scope > li');
}

/** A step's trace, opened: per migration id, its statements' lines and its dangers, each as one line of text. */
async function openTrace(step: Locator): Promise<Record<string, { statements: string[]; dangers: string[] }>> {
  const details = step.locator('details.tl-trace');
  await details.locator('summary').click();
  await expect.poll(() => details.getAttribute('open')).not.toBeNull();
  const out: Record<string, { statements: string[]; dangers: string[] }> = {};
  for (const migration of await details.locator('.tl-trace-migration').all()) {
    const id = await migration.locator('.tl-id').innerText();
    out[id] = {
      statements: (await migration.locator('li').allInnerTexts()).map(oneLine),
      dangers: (await migration.locator('.tl-trace-danger').allInnerTexts()).map(oneLine),
    };
  }
  return out;
}

describe('trace view', () => {
  test('Apply all on PostgreSQL: the locks of CREATE INDEX and of CREATE INDEX CONCURRENTLY, a rewrite, and the dangerous locks with their lint codes', async () => {
    const { page, errors } = await openOnPostgres();
    await page.getByRole('button', { name: 'Apply all', exact: true }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Log', exact: true }).innerText(), { timeout: 60_000 })
      .toContain('Apply all: 4 applied');
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await expect.poll(() => steps(page).count()).toBe(1);
    const step = steps(page).first();
    // The summary counts the locks that block on a table that existed before: CREATE INDEX, ALTER COLUMN TYPE.
    expect(oneLine(await step.locator('details.tl-trace > summary').innerText())).toBe(
      'Locks: 2 blocking on an existing table',
    );

    const trace = await openTrace(step);
    expect(Object.keys(trace)).toEqual(['0001_items', '0002_index', '0003_index_concurrently', '0004_column_type']);
    // A new table: its own locks, nothing that blocks anyone.
    expect(trace['0001_items'].statements[0]).toMatch(
      /^CREATE TABLE items .* line 5 .*AccessExclusiveLock on items(,|$)/,
    );
    expect(trace['0001_items'].dangers).toEqual([]);

    // CREATE INDEX takes SHARE on the table (writes wait for the whole build) …
    expect(trace['0002_index'].statements).toHaveLength(1);
    expect(trace['0002_index'].statements[0]).toMatch(/^CREATE INDEX items_name ON items \(name\) line 5 /);
    expect(trace['0002_index'].statements[0]).toMatch(/(^|\s)ShareLock on items(,|$)/);
    expect(trace['0002_index'].statements[0]).not.toContain('ShareUpdateExclusiveLock');
    expect(trace['0002_index'].dangers).toEqual([
      '⚠ ShareLock on items blocks writes (index-not-concurrent): CREATE INDEX items_name ON items (name)',
    ]);

    // … CONCURRENTLY, outside a transaction, only SHARE UPDATE EXCLUSIVE: reads and writes go on.
    expect(trace['0003_index_concurrently'].statements).toHaveLength(1);
    expect(trace['0003_index_concurrently'].statements[0]).toMatch(
      /^CREATE INDEX CONCURRENTLY items_name_c ON items \(name\) line 6 /,
    );
    expect(trace['0003_index_concurrently'].statements[0]).toContain('ShareUpdateExclusiveLock on items');
    expect(trace['0003_index_concurrently'].statements[0]).not.toMatch(/(^|\s)ShareLock on items(,|$)/);
    expect(trace['0003_index_concurrently'].dangers).toEqual([]);

    // ALTER COLUMN TYPE rewrites the table under ACCESS EXCLUSIVE: reads wait too.
    expect(trace['0004_column_type'].statements[0]).toMatch(/AccessExclusiveLock on items(,|;|$)/);
    expect(trace['0004_column_type'].statements[0]).toMatch(/; rewrites [^;]*\bitems\b/);
    expect(trace['0004_column_type'].dangers).toEqual([
      '⚠ AccessExclusiveLock on items blocks reads and writes (column-type-change): ALTER TABLE items ALTER COLUMN id TYPE bigint',
    ]);
    expect(errors).toEqual([]);
  }, 180_000);

  test('one step per Apply next: each shows the trace of its own migration, beside its diff', async () => {
    const { page, errors } = await openOnPostgres();
    const apply = page.getByRole('button', { name: 'Apply next', exact: true });
    const log = page.getByRole('region', { name: 'Log', exact: true });
    await apply.click();
    await expect.poll(() => log.innerText(), { timeout: 60_000 }).toContain('0001_items applied');
    await apply.click();
    await expect.poll(() => log.innerText(), { timeout: 60_000 }).toContain('0002_index applied');
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await expect.poll(() => steps(page).count()).toBe(2);
    const [first, second] = [steps(page).nth(0), steps(page).nth(1)];
    expect(oneLine(await first.locator('details.tl-trace > summary').innerText())).toBe(
      'Locks: nothing blocks reads or writes on an existing table',
    );
    expect(oneLine(await second.locator('details.tl-trace > summary').innerText())).toBe(
      'Locks: 1 blocking on an existing table',
    );
    const trace = await openTrace(second);
    expect(Object.keys(trace)).toEqual(['0002_index']);
    expect(trace['0002_index'].dangers).toEqual([
      '⚠ ShareLock on items blocks writes (index-not-concurrent): CREATE INDEX items_name ON items (name)',
    ]);
    // The step still offers its diff beside the trace.
    expect(await second.getByRole('button', { name: /Show diff of step/ }).count()).toBe(1);
    expect(errors).toEqual([]);
  }, 180_000);
});
