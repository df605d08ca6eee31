/**
 * Where Compare engines' findings land in one side's schema tree: which tables, columns and index/key lines to
 * highlight, and what to show in place of an object the other side has and this one lacks (a "missing here" line).
 * Pure: the dialog (components/CompareEngines.tsx) only renders what this gives.
 *
 * Names are matched ignoring case, as the comparison pairs them (PostgreSQL folds unquoted names to lower case).
 */
import type { EngineFinding, EngineFindingKind } from '../core/schema/compare-engines.ts';
import type { SchemaView } from './worker/protocol.ts';

/** `only`: this side has it, the other does not; `missing`: the other side has it; `differs`: both, not alike. */
export type Mark = 'only' | 'missing' | 'differs';

export const MARK_SIGNS: Record<Mark, string> = { only: '+', missing: '−', differs: '≠' };
export const MARK_WORDS: Record<Mark, string> = { only: 'only here', missing: 'missing here', differs: 'differs' };

export interface Marked {
  mark: Mark;
  /** The findings' explanations, one per line (a title for the pointer, words for a screen reader). */
  why: string;
}

/** A line standing for something this side lacks or something without a line of its own (a check, the key). */
export interface NoteLine extends Marked {
  text: string;
}

interface TableMarks {
  /** The table as a whole: only here, or something in it differs. Null when nothing does. */
  table: Marked | null;
  /** By column name (lower case). */
  columns: Map<string, Marked>;
  /** Columns the other side has: shown after this side's own. */
  missingColumns: NoteLine[];
  /** By the index/key line as the schema view writes it (`index items_name (name)`, `unique (code)`). */
  lines: Map<string, Marked>;
  /** Everything else about the table: primary key, row count, checks, triggers, what this side lacks. */
  notes: NoteLine[];
}

export interface SideMarks {
  /** By table name (lower case). */
  tables: Map<string, TableMarks>;
  /** Tables only the other side has, by name. */
  missingTables: (NoteLine & { name: string })[];
  /** By the line of `SchemaView.others` (`view big_orders`). */
  others: Map<string, Marked>;
  missingOthers: NoteLine[];
}

const ONLY_KINDS: ReadonlySet<EngineFindingKind> = new Set([
  'table_only',
  'view_only',
  'trigger_only',
  'column_only',
  'index_only',
  'unique_only',
  'foreign_key_only',
  'check_only',
]);

function markOf(finding: EngineFinding, side: 0 | 1): Mark {
  if (!ONLY_KINDS.has(finding.kind)) return 'differs';
  return finding.values[side] === null ? 'missing' : 'only';
}

function merge(into: Map<string, Marked>, key: string, marked: Marked): void {
  const existing = into.get(key);
  into.set(key, existing ? { mark: existing.mark, why: `${existing.why}\n${marked.why}` } : marked);
}

/** The schema view's line for an index, unique constraint or foreign key finding, when it has one. */
function lineFor(finding: EngineFinding, lines: readonly string[]): string | undefined {
  const part = finding.path[1] ?? '';
  const lower = (s: string) => s.toLowerCase();
  switch (finding.kind) {
    case 'index_only':
    case 'index_changed':
      return lines.find(
        (l) => lower(l).startsWith(`index ${lower(part)} (`) || lower(l).startsWith(`unique index ${lower(part)} (`),
      );
    case 'unique_only':
      return lines.find((l) => lower(l) === lower(part));
    case 'foreign_key_only':
    case 'foreign_key_changed':
      return lines.find((l) => lower(l) === `foreign key ${lower(part)}`);
    default:
      return undefined;
  }
}

/** A note's text from the finding and the value shown (this side's, or the other side's when this one lacks it). */
const NOTE_TEXT: Partial<Record<EngineFindingKind, (f: EngineFinding, value: string) => string>> = {
  primary_key: (_f, v) => `primary key ${v}`,
  index_only: (f, v) => `index ${f.path[1]} ${v}`,
  index_changed: (f, v) => `index ${f.path[1]} ${v}`,
  foreign_key_only: (_f, v) => `foreign key ${v}`,
  foreign_key_changed: (f, v) => `foreign key ${f.path[1]} ${v}`,
  trigger_only: (f) => `trigger ${f.path[1]}`,
};

export function sideMarks(findings: readonly EngineFinding[], side: 0 | 1, schema: SchemaView | null): SideMarks {
  const marks: SideMarks = { tables: new Map(), missingTables: [], others: new Map(), missingOthers: [] };
  const tableMarks = (name: string): TableMarks => {
    const key = name.toLowerCase();
    let t = marks.tables.get(key);
    if (!t) {
      t = { table: null, columns: new Map(), missingColumns: [], lines: new Map(), notes: [] };
      marks.tables.set(key, t);
    }
    return t;
  };
  const tableLines = (name: string): string[] => {
    const view = schema?.tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
    return view ? [...view.indexes, ...view.foreignKeys] : [];
  };

  for (const f of findings) {
    const mark = markOf(f, side);
    const why = f.explanation;
    const [table = '', part] = f.path;
    if (f.kind === 'view_only') {
      if (mark === 'missing') marks.missingOthers.push({ mark, why, text: `${f.values[1 - side]} ${table}` });
      else {
        const line = schema?.others.find((o) => o.toLowerCase() === `${f.values[side]} ${table}`.toLowerCase());
        if (line !== undefined) merge(marks.others, line, { mark, why });
      }
      continue;
    }
    if (f.kind === 'table_only') {
      if (mark === 'missing') marks.missingTables.push({ mark, why, text: `table ${table}`, name: table });
      else tableMarks(table).table = { mark, why };
      continue;
    }
    const t = tableMarks(table);
    if (t.table === null) t.table = { mark: 'differs', why };
    else if (t.table.mark === 'differs') t.table = { mark: 'differs', why: `${t.table.why}\n${why}` };
    if (f.kind.startsWith('column_') && part !== undefined) {
      if (mark === 'missing') t.missingColumns.push({ mark, why, text: `${part} ${f.values[1 - side] ?? ''}`.trim() });
      else merge(t.columns, part.toLowerCase(), { mark, why });
      continue;
    }
    const line = mark === 'missing' ? undefined : lineFor(f, tableLines(table));
    if (line !== undefined) {
      merge(t.lines, line, { mark, why });
      continue;
    }
    // Rows, unique constraints and checks are their own words ("2 rows", "UNIQUE (code)", "CHECK (total >= 0)").
    const value = f.values[side] ?? f.values[1 - side] ?? '';
    t.notes.push({ mark, why, text: NOTE_TEXT[f.kind]?.(f, value) ?? value });
  }
  return marks;
}
