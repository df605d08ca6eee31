/**
 * Lessons in the real page (Debian's Chromium through playwright-core): the list opens with "1. …" first, lesson 1
 * is done with a failing and then a passing answer (the verdict in role="status", saying what is missing), a hint on
 * request, the tour as the lesson's guide waiting for Apply next, progress (✓) remembered after a reload, and axe-core
 * on the lessons views. Every lesson's checks, passing and failing, are tested in Node (test/unit/lessons.test.ts).
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { LESSONS, lessonById } from '../../src/web/lessons/lessons.ts';
import { seriousFindings } from './axe.ts';
import { usePlayground } from './harness.ts';

const playground = usePlayground();
const FIRST = lessonById('create-table')!;

async function replaceEditorText(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // Inserted as it is: typing would let the editor indent each new line again.
  await page.keyboard.insertText(text);
}

describe('lessons', () => {
  test('lesson 1: the list, a failing then a passing Check, a hint, the guide waiting for Apply next, progress after a reload', async () => {
    const context = await playground.context();
    await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(playground.preview.url);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('SQLite ready');

    // The list: its first entry is "1. …", nothing passed yet.
    await page.getByRole('button', { name: 'Lessons', exact: true }).click();
    const list = page.getByRole('dialog', { name: 'Lessons' });
    await list.waitFor();
    const entries = list.getByRole('listitem');
    expect(await entries.count()).toBeGreaterThanOrEqual(8);
    expect(await entries.first().getByRole('button').textContent()).toBe(`1. ${FIRST.title}`);
    expect(await list.getByText('✓').count()).toBe(0);
    const found: string[] = [...(await seriousFindings(page))];

    // Lesson 1 opens on its own files (the untouched examples go without asking), its guide first.
    await list.getByRole('button', { name: `1. ${FIRST.title}`, exact: true }).click();
    const lesson = page.getByRole('region', { name: FIRST.title, exact: true });
    await lesson.waitFor();
    await expect.poll(() => page.locator('.file-list .file-button').allTextContents()).toEqual([FIRST.file]);
    const verdict = lesson.getByRole('status');
    expect(await verdict.textContent()).toBe('');

    // The guide: the tour's steps in the lesson's words; at Apply next it waits for the person to press it.
    const guide = (title: string) => page.getByRole('dialog', { name: title, exact: true });
    await guide('Your migrations').waitFor();
    expect(await guide('Your migrations').textContent()).toContain('Lesson 1 guide · 1 of 5');
    await guide('Your migrations').getByRole('button', { name: 'Next' }).click();
    await guide('The editor').getByRole('button', { name: 'Next' }).click();
    await guide('Apply next').waitFor();
    expect(await guide('Apply next').getByRole('button', { name: 'Next' }).count()).toBe(0);
    expect(await guide('Apply next').textContent()).toContain('Waiting for Apply next');

    // A failing answer: the starting file creates nothing. The verdict says what is missing, and where.
    await lesson.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => verdict.textContent(), { timeout: 30_000 }).toContain('Not yet: 1 of 4 checks failed.');
    expect(await verdict.textContent()).toContain('There is no table users after up: the task asks for it.');
    expect(await verdict.textContent()).toContain('Verify: each down undoes its up');

    // A hint on request, one at a time.
    expect(await lesson.getByText(FIRST.hints[0]).count()).toBe(0);
    await lesson.getByRole('button', { name: 'Show a hint' }).click();
    await lesson.getByText(FIRST.hints[0]).waitFor();
    expect(await lesson.getByText(FIRST.hints[1]).count()).toBe(0);

    // The passing answer, applied: the guide goes on by itself once Apply next has run.
    await replaceEditorText(page, FIRST.answer[0].text);
    await page.getByRole('button', { name: 'Apply next', exact: true }).click();
    await guide('Schema and Diff').waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'Schema', exact: true }).innerText()).toContain('users');
    await guide('Schema and Diff').getByRole('button', { name: 'Next' }).click();
    await guide('Check').waitFor(); // the guide's last step points at Check
    await lesson.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => verdict.textContent(), { timeout: 30_000 }).toContain('✓ Passed: all 4 checks.');
    await guide('Check').getByRole('button', { name: 'Done' }).click();
    found.push(...(await seriousFindings(page)));

    // After a reload: the lesson is still open with the person's answer, and the list shows it passed.
    await page.reload();
    await page.getByRole('region', { name: FIRST.title, exact: true }).waitFor();
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('CREATE TABLE users');
    await page.getByRole('button', { name: 'Lessons', exact: true }).click();
    await list.waitFor();
    expect(await entries.first().innerText()).toContain('✓');
    expect(await entries.nth(1).innerText()).not.toContain('✓');
    await list.getByRole('button', { name: 'Close' }).click();
    await list.waitFor({ state: 'hidden' });
    await page.getByLabel('Theme').selectOption({ label: 'Dark' });
    found.push(...(await seriousFindings(page)));
    expect([...new Set(found)]).toEqual([]);
    expect(errors).toEqual([]);
  }, 180_000);

  test('the guide card follows a widened file column: as wide as the column on the tour, beside it (not over the lesson) in lesson 1', async () => {
    const context = await playground.context();
    await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
    const page = await context.newPage();
    await page.goto(playground.preview.url);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('SQLite ready');
    const box = async (locator: ReturnType<Page['locator']>) => (await locator.boundingBox())!;
    const files = page.locator('.layout > .files');
    const defaultWidth = (await box(files)).width;
    // The file column as wide as it goes (its separator's End), about 380 px at 1280 px.
    await page.getByRole('separator', { name: 'File list width', exact: true }).focus();
    await page.keyboard.press('End');
    await expect.poll(async () => (await box(files)).width).toBeGreaterThan(defaultWidth + 100);
    const column = await box(files);

    // The tour's card sits over the file column, as wide as it (less its margins).
    await page.getByRole('button', { name: 'Tour', exact: true }).click();
    const tour = page.getByRole('dialog', { name: 'Your migrations' });
    await tour.waitFor();
    const card = await box(tour);
    expect(card.x).toBeGreaterThanOrEqual(column.x);
    expect(card.x + card.width).toBeLessThanOrEqual(column.x + column.width + 1);
    expect(card.width).toBeGreaterThan(column.width - 30);
    await page.getByRole('button', { name: 'Close tour', exact: true }).click();

    // Lesson 1's guide: beside the column and its lesson panel, not over them.
    await page.getByRole('button', { name: 'Lessons', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Lessons' })
      .getByRole('button', { name: `1. ${FIRST.title}` })
      .click();
    const lesson = await box(page.getByRole('region', { name: FIRST.title, exact: true }));
    const guide = await box(page.getByRole('dialog', { name: 'Your migrations' }));
    expect(guide.x).toBeGreaterThanOrEqual(column.x + column.width);
    expect(guide.x).toBeGreaterThanOrEqual(lesson.x + lesson.width);
    expect(guide.x).toBeLessThan(column.x + column.width + 40);
  }, 120_000);

  test('every lesson in turn: its starting files fail Check, its answer passes, and Next lesson goes on', async () => {
    const context = await playground.context();
    await context.addInitScript(() => localStorage.setItem('moonwalk.tour.v1', 'seen'));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(playground.preview.url);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('SQLite ready');
    await page.getByRole('button', { name: 'Lessons', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Lessons' })
      .getByRole('button', { name: `1. ${FIRST.title}` })
      .click();
    for (const [i, lesson] of LESSONS.entries()) {
      const panel = page.getByRole('region', { name: lesson.title, exact: true });
      await panel.waitFor();
      expect(await panel.textContent()).toContain(`Lesson ${i + 1} of ${LESSONS.length}`);
      if (i === 0) await page.getByRole('button', { name: 'Close tour' }).click(); // lesson 1's guide
      const verdict = panel.getByRole('status');
      const check = async (wanted: string) => {
        await panel.getByRole('button', { name: 'Check', exact: true }).click();
        // PostgreSQL (the engine lesson) is loaded by its first Check.
        await expect.poll(() => verdict.textContent(), { timeout: 90_000 }).toContain(wanted);
      };
      await check('Not yet:');
      await expect.poll(() => page.locator('.filebar .filename').textContent()).toContain(lesson.file);
      await replaceEditorText(page, lesson.answer.find((f) => f.name === lesson.file)!.text);
      await check('✓ Passed');
      if (i < LESSONS.length - 1) await panel.getByRole('button', { name: 'Next lesson' }).click();
    }
    await page.getByRole('button', { name: 'Lessons', exact: true }).click();
    const marks = await page.getByRole('dialog', { name: 'Lessons' }).getByText('✓').count();
    expect(marks).toBe(LESSONS.length);
    expect(errors).toEqual([]);
  }, 400_000);
});
