/**
 * "The guide's example set" of issue 4's share-link target, built from the migration guide itself
 * (docs/migration-guide.md, a verbatim copy of the shared `spec/migration-guide.md`, so that a checkout
 * alone can run the bench and its test): its eight runnable examples, each made into
 * a complete migration file with the least wrapping the DSL needs.
 *
 * - the Migration Template (the guide's first ```lua block): complete already, taken as written;
 * - "5. Database-Specific Code" (two `database(...)` blocks): wrapped in `define` and `migration` only;
 * - the six blocks of "Common Migration Patterns" (Creating Tables, Adding Columns, Creating Indexes, Seeding Data,
 *   Using Prepared Statements, Complex Schema Changes; `up`/`down` calls): wrapped in `define`, `migration` and
 *   `database("sqlite")`.
 * The blocks keep their text; the one change is the guide's column placeholder `, ...` in "Database-Specific Code"
 * (`CREATE TABLE users (id INTEGER PRIMARY KEY, ...)`), dropped so that the statement runs.
 * test/integration/guide-example-set.test.ts applies every file with the real runner on sql.js.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GuideFile {
  name: string;
  text: string;
}

/** The guide, as copied into the test fixtures. */
export function readGuide(repoRoot: string): string {
  return readFileSync(join(repoRoot, 'docs', 'migration-guide.md'), 'utf8');
}

interface Block {
  heading: string;
  code: string;
}

/** Every ```lua block with the nearest heading above it. */
function luaBlocks(guide: string): Block[] {
  const blocks: Block[] = [];
  let heading = '';
  const lines = guide.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const title = /^#{1,6}\s+(.*)$/.exec(line);
    if (title) heading = title[1].trim();
    if (line.trim() !== '```lua') continue;
    const code: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) code.push(lines[i]);
    blocks.push({ heading, code: code.join('\n') });
  }
  return blocks;
}

const TEMPLATE = 'Migration Template';
const DATABASE_SPECIFIC = '5. Database-Specific Code';
const PATTERNS = [
  'Creating Tables',
  'Adding Columns',
  'Creating Indexes',
  'Seeding Data',
  'Using Prepared Statements',
  'Complex Schema Changes',
];

function indent(code: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return code
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : pad + line))
    .join('\n');
}

function wrap(description: string, body: string): string {
  return (
    `return require("migration").define(function()\n    migration(${JSON.stringify(description)}, function()\n` +
    `${body}\n    end)\nend)\n`
  );
}

function fileName(index: number, heading: string): string {
  const slug = heading
    .replace(/^\d+\.\s*/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return `${String(index + 1).padStart(4, '0')}_${slug}.lua`;
}

/** The eight files, in the guide's order. Throws when the guide no longer has one of the blocks. */
export function guideExampleSet(guide: string): GuideFile[] {
  const blocks = luaBlocks(guide);
  const find = (heading: string): Block => {
    const block = blocks.find((b) => b.heading === heading);
    if (!block) throw new Error(`the migration guide has no \`\`\`lua block under "${heading}"`);
    return block;
  };
  const template = blocks[0];
  if (!template || template.heading !== TEMPLATE)
    throw new Error(`the guide's first lua block is not under "${TEMPLATE}"`);
  const texts: Array<[string, string]> = [[TEMPLATE, `${template.code}\n`]];
  const specific = find(DATABASE_SPECIFIC).code.replace(/, \.\.\.\)/g, ')');
  texts.push([DATABASE_SPECIFIC, wrap('Database-Specific Code', indent(specific, 8))]);
  for (const heading of PATTERNS) {
    const body = `        database("sqlite", function()\n${indent(find(heading).code, 12)}\n        end)`;
    texts.push([heading, wrap(heading, body)]);
  }
  return texts.map(([heading, text], i) => ({ name: fileName(i, heading), text }));
}
