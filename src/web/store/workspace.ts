/**
 * The workspace: the person's migration files (select, edit, add, rename, delete, replace with an example set or an
 * import), the editor's marks and jumps, and the small view actions around them.
 */
import { plural } from '../../core/plural.ts';
import type { ThemeChoice } from '../theme.ts';
import { migrationTemplate } from '../examples.ts';
import { nameProblem, nextNumber, normalizeName, sortFiles } from '../files.ts';
import { ENGINE_LABELS, type DiffLine, type EngineId, type SourceFile } from '../worker/protocol.ts';
import type { Ctx } from './context.ts';
import { openEngine, refreshStatusSoon, stop } from './engine.ts';
import { OWN_FILES_KEPT, withLog } from './log.ts';
import { resetDatabase } from './runs.ts';
import { CLEARED_RUN_VIEW, fileState, type SourceLink } from './state.ts';

export function selectFile(ctx: Ctx, name: string): void {
  ctx.update((s) => (s.files.some((f) => f.name === name) ? { selected: name } : {}));
}

export function updateText(ctx: Ctx, name: string, text: string): void {
  ctx.update((s) => {
    const markers = { ...s.markers };
    delete markers[name];
    // An alert about this file's text goes with the edit that may have fixed it.
    const alert = s.alert?.link?.file === name ? null : s.alert;
    return { files: s.files.map((f) => (f.name === name ? { ...f, text } : f)), markers, alert };
  });
  refreshStatusSoon(ctx);
}

export function newMigration(ctx: Ctx): void {
  ctx.update((s) => {
    const files = s.files;
    let base = `${nextNumber(files)}_new_migration`;
    let n = 2;
    while (files.some((f) => f.name === `${base}.lua`)) base = `${nextNumber(files)}_new_migration_${n++}`;
    const name = `${base}.lua`;
    const file = { name, text: migrationTemplate(base.replace(/^\d+_/, '')) };
    return {
      files: sortFiles([...files, file]),
      selected: name,
      naming: name,
      ...withLog(s, { kind: 'info', text: `Added ${name}. Give it a name that says what it does.` }),
    };
  });
  refreshStatusSoon(ctx);
}

/** Renames a file; answers the problem when the new name cannot be used. */
export function renameFile(ctx: Ctx, from: string, input: string): string | null {
  const to = normalizeName(input);
  if (to === null) return 'Type a name, e.g. 0004_add_phone.lua.';
  if (to === from) return null;
  const problem = nameProblem(to, ctx.get().files, from);
  if (problem) return problem;
  ctx.update((s) => {
    const markers = { ...s.markers };
    delete markers[from];
    const applied = fileState(s, from) !== 'pending';
    return {
      files: sortFiles(s.files.map((f) => (f.name === from ? { ...f, name: to } : f))),
      selected: s.selected === from ? to : s.selected,
      markers,
      ...withLog(s, {
        kind: 'info',
        text: `Renamed ${from} to ${to}.${applied ? ' The database knows it by its old id, which now shows as missing.' : ''}`,
      }),
    };
  });
  refreshStatusSoon(ctx);
  return null;
}

export function deleteFile(ctx: Ctx, name: string): void {
  const index = ctx.get().files.findIndex((f) => f.name === name);
  if (index < 0) return;
  ctx.update((s) => {
    const rest = s.files.filter((f) => f.name !== name);
    const selected = s.selected === name ? (rest[Math.min(index, rest.length - 1)]?.name ?? null) : s.selected;
    return { files: rest, selected, ...withLog(s, { kind: 'info', text: `Deleted ${name}.` }) };
  });
  refreshStatusSoon(ctx);
}

export function showLine(ctx: Ctx, link: SourceLink): void {
  ctx.update((s) =>
    s.files.some((f) => f.name === link.file) ? { selected: link.file, jump: { ...link, nonce: Date.now() } } : {},
  );
}

/** Shows a diff in the Diff panel again (a step picked in the Timeline). */
export function showDiff(ctx: Ctx, title: string, lines: DiffLine[]): void {
  ctx.update(() => ({ diff: { title, lines } }));
}

export function dismissAlert(ctx: Ctx): void {
  ctx.update(() => ({ alert: null }));
}

export function clearLog(ctx: Ctx): void {
  ctx.update(() => ({ log: [] }));
}

/** A problem outside any run (a part of the page that could not load, a file that could not be read): told. */
export function report(ctx: Ctx, message: string, asAlert = true): void {
  ctx.update((s) => ({ ...(asAlert ? { alert: { message } } : {}), ...withLog(s, { kind: 'error', text: message }) }));
}

/** Something the person did, in the log. */
export function note(ctx: Ctx, kind: 'info' | 'ok' | 'warn', text: string): void {
  ctx.update((s) => withLog(s, { kind, text }));
}

/** The new file's name was given (or left as it was). */
export function doneNaming(ctx: Ctx): void {
  ctx.update((s) => (s.naming === null ? {} : { naming: null }));
}

export function setShortcutsOpen(ctx: Ctx, open: boolean): void {
  ctx.update(() => ({ shortcutsOpen: open }));
}

export function setTheme(ctx: Ctx, theme: ThemeChoice): void {
  ctx.update(() => ({ theme }));
}

/**
 * Replaces the files (an example set, an import, a share link) and starts the database empty: nothing runs. `what`
 * names them in the log; `engine` switches the engine too (a link's).
 */
export async function replaceFiles(
  ctx: Ctx,
  files: SourceFile[],
  what: string,
  changes: { engine?: EngineId; selected?: string | null; workspace?: 'own' | 'link' } = {},
): Promise<void> {
  const sorted = sortFiles(files);
  if (ctx.get().busy !== null) await stop(ctx);
  const engineChanged = changes.engine !== undefined && changes.engine !== ctx.get().engine;
  ctx.update(() => ({
    ...CLEARED_RUN_VIEW,
    files: sorted,
    selected: changes.selected ?? sorted[0]?.name ?? null,
    ...(changes.engine ? { engine: changes.engine } : {}),
    ...(changes.workspace ? { workspace: changes.workspace } : {}),
  }));
  if (engineChanged) await openEngine(ctx, 'switch');
  const engine = ENGINE_LABELS[ctx.get().engine];
  const logLine = changes.engine
    ? `Loaded ${what}: ${plural(sorted.length, 'file')} for ${engine}, on an empty database. Nothing has run.${changes.workspace === 'link' ? ` ${OWN_FILES_KEPT}` : ''}`
    : `Loaded ${what}: ${plural(sorted.length, 'file')}, on an empty ${engine} database. Nothing has run: press Apply next or Apply all.`;
  if (ctx.get().engineState !== 'ready' || !(await resetDatabase(ctx, { what, log: logLine })))
    note(ctx, 'info', logLine);
}
