/**
 * The page opened by `moonwalk play` (src/cli/play/): the folder's files, the starting database of `--from`, and
 * Save, which writes the edited files back. The folder is written only by Save; a file changed on disk since the
 * page read it is a conflict the page shows (the disk's text in the Log), and nothing is written.
 */
import { plural } from '../../core/plural.ts';
import type { PlayServer } from '../play-server.ts';
import type { Ctx } from './context.ts';
import { withLog } from './log.ts';
import { loadSqlDump, openServedDatabase } from './own-database.ts';
import { switchEngine } from './engine.ts';
import { unsavedFiles, type PlayState } from './state.ts';

/** What the page knows of the folder when it has just read it. */
export function playStateOf(server: PlayServer): PlayState {
  const { folder, files } = server.session;
  return {
    folder,
    versions: Object.fromEntries(files.map((f) => [f.name, f.version])),
    savedText: Object.fromEntries(files.map((f) => [f.name, f.text])),
    saving: false,
  };
}

/** After the engine opened: the starting database `--from` gave, when it did. */
export async function startFromServer(ctx: Ctx, server: PlayServer): Promise<void> {
  const offered = server.session.baseline;
  if (offered === null) return;
  let baseline;
  try {
    baseline = await server.baseline();
  } catch (error) {
    const message = `The starting database (${offered.name}) could not be loaded: ${error instanceof Error ? error.message : String(error)}.`;
    ctx.update((s) => ({ alert: { message }, ...withLog(s, { kind: 'error', text: message }) }));
    return;
  }
  if (baseline === null) return;
  if (baseline.kind === 'sqlite-blob') await openServedDatabase(ctx, baseline);
  else {
    if (ctx.get().engine !== baseline.engine) await switchEngine(ctx, baseline.engine);
    await loadSqlDump(ctx, baseline.text, baseline.name);
  }
  if (offered.notes.length > 0) {
    const text = offered.notes.join(' ');
    ctx.update((s) => ({ notice: [s.notice, text].filter(Boolean).join(' '), ...withLog(s, { kind: 'info', text }) }));
  }
}

/** Save: the edited files written to the folder, all or none. */
export async function saveToFolder(ctx: Ctx): Promise<void> {
  const server = ctx.surroundings.play;
  const start = ctx.get();
  const play = start.play;
  if (!server || play === null || play.saving) return;
  const names = unsavedFiles(start);
  if (names.length === 0) {
    const text = `Nothing to save: ${play.folder} has every file as the page shows it.`;
    ctx.update((s) => ({ notice: text, ...withLog(s, { kind: 'info', text }) }));
    return;
  }
  const requests = start.files
    .filter((f) => names.includes(f.name))
    .map((f) => ({ name: f.name, text: f.text, base: play.versions[f.name] ?? null }));
  ctx.update((s) => ({ play: s.play && { ...s.play, saving: true } }));
  const answer = await server.save(requests);
  ctx.update((s) => {
    if (s.play === null) return {};
    const saving = { ...s.play, saving: false };
    if (answer.ok) {
      const versions = { ...saving.versions };
      const savedText = { ...saving.savedText };
      for (const f of answer.saved) {
        versions[f.name] = f.version;
        savedText[f.name] = f.text;
      }
      const text = `Saved ${plural(answer.saved.length, 'file')} to ${saving.folder}: ${answer.saved.map((f) => f.name).join(', ')}.`;
      return { play: { ...saving, versions, savedText }, notice: text, ...withLog(s, { kind: 'ok', text }) };
    }
    if (answer.kind === 'refused') {
      const message = `Not saved: ${answer.message}. Nothing was written.`;
      return { play: saving, alert: { message }, ...withLog(s, { kind: 'error', text: message }) };
    }
    // The page now knows the disk's version: once the person has merged it (its text is in the Log), Save writes.
    const versions = { ...saving.versions };
    for (const c of answer.conflicts) {
      if (c.onDisk) versions[c.name] = c.onDisk.version;
      else delete versions[c.name];
    }
    const message =
      `Not saved: ${answer.conflicts.map((c) => c.message).join('; ')}. Nothing was written to ${saving.folder}; ` +
      'your edits are still here. The Log shows what the disk holds now: merge it, then press Save again.';
    return {
      play: { ...saving, versions },
      alert: { message },
      ...withLog(
        s,
        { kind: 'error', text: message },
        ...answer.conflicts.map((c) => ({
          kind: 'info' as const,
          text: c.onDisk ? `${c.name} on disk now:` : `${c.name} is no longer on disk.`,
          detail: c.onDisk?.text,
        })),
      ),
    };
  });
}
