/** The page's layout checked in the real browser (the header at a desktop width, in the playground and in `moonwalk play`). */
import type { Page } from 'playwright-core';

/**
 * What is wrong with the page's layout at its window's width: a control whose right edge is beyond the window, two
 * buttons over each other, a button whose text wrapped, a button's note beyond the window or over another, a header of more than one
 * row, a horizontal scroll.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = window.innerWidth;
    const nameOf = (e: Element) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 40);
    const visible = (selector: string) =>
      [...document.querySelectorAll(selector)].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && e.checkVisibility({ visibilityProperty: true });
      });
    for (const e of visible('button, select, input, [role="tab"], [role="separator"], .engine-status, h1')) {
      const r = e.getBoundingClientRect();
      if (r.right > width + 0.5) problems.push(`${e.tagName} "${nameOf(e)}" ends at ${Math.round(r.right)} px`);
    }
    const buttons = visible('button, select');
    for (const b of buttons) {
      if (b.tagName === 'BUTTON' && b.getBoundingClientRect().height > 36) problems.push(`"${nameOf(b)}" wraps`);
    }
    for (let i = 0; i < buttons.length; i++) {
      for (let j = i + 1; j < buttons.length; j++) {
        const [a, b] = [buttons[i].getBoundingClientRect(), buttons[j].getBoundingClientRect()];
        const overlap =
          Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
          Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
        if (overlap) problems.push(`"${nameOf(buttons[i])}" and "${nameOf(buttons[j])}" overlap`);
      }
    }
    // A note under its button (Share's "Link copied", Save's folder) is over the page: inside the window all the same.
    const notes = visible('.share-note');
    for (const [i, e] of notes.entries()) {
      const r = e.getBoundingClientRect();
      if (r.right > width + 0.5 || r.left < -0.5)
        problems.push(`the note "${nameOf(e)}" spans ${Math.round(r.left)}–${Math.round(r.right)} px`);
      for (const other of notes.slice(i + 1)) {
        const o = other.getBoundingClientRect();
        if (
          Math.min(r.right, o.right) - Math.max(r.left, o.left) > 1 &&
          Math.min(r.bottom, o.bottom) - Math.max(r.top, o.top) > 1
        )
          problems.push(`the notes "${nameOf(e)}" and "${nameOf(other)}" overlap`);
      }
    }
    const header = document.querySelector('header.topbar')!.getBoundingClientRect();
    if (header.height > 56) problems.push(`the header is ${Math.round(header.height)} px high (two rows)`);
    if (document.documentElement.scrollWidth > width)
      problems.push(`horizontal scroll: ${document.documentElement.scrollWidth} px`);
    return problems;
  });
}
