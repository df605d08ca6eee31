/**
 * axe-core (node_modules/axe-core/axe.min.js, injected into the page) for the browser tests: its serious and critical
 * findings (colour contrast included) on the page as it is now.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { root } from './harness.ts';

const AXE = readFileSync(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe's serious and critical findings on the page as it is now, one line each. */
export async function seriousFindings(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Element | Document): Promise<{ violations: Finding[] }> } })
      .axe;
    // Behind a modal dialog the page is inert: the dialog is what can be used, and what is checked.
    return (await axe.run(document.querySelector('dialog:modal') ?? document)).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary ?? v.help}`));
}
