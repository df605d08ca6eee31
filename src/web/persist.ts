/**
 * The playground's state (files, engine, selection) in local storage, so that it survives a reload. What is read
 * back is checked like a share link: local storage is only data, and it may come from another version of the page.
 */
import { isValidName, MAX_FILE_CHARS, MAX_FILES, sortFiles } from './files.ts';
import type { SharedState } from './share.ts';
import type { SourceFile } from './worker/protocol.ts';
import type { PlayState } from './store/state.ts';

/** The person's own files. */
const KEY = 'moonwalk.playground.v1';
/**
 * The files of the last share link opened, as edited since, with that link's hash: kept apart from the person's own
 * files, which a link never overwrites (the plain address shows those again).
 */
const LINK_KEY = 'moonwalk.link.v1';

export function loadSaved(): SharedState | null {
  return read(KEY);
}

/** The edited copy of the link `hash`, if it is the last one opened. */
export function loadSavedLink(hash: string): SharedState | null {
  try {
    const raw = localStorage.getItem(LINK_KEY);
    if (!raw || (JSON.parse(raw) as { hash?: unknown }).hash !== hash) return null;
  } catch {
    return null;
  }
  return read(LINK_KEY);
}

function read(key: string): SharedState | null {
  let raw: string | null;
  try {
    raw = localStorage.getItem(key);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const data = JSON.parse(raw) as { files?: unknown; engine?: unknown; selected?: unknown };
    if (!Array.isArray(data.files) || data.files.length > MAX_FILES) return null;
    const files: SourceFile[] = [];
    const names = new Set<string>();
    for (const f of data.files as unknown[]) {
      const file = f as { name?: unknown; text?: unknown };
      if (typeof file.name !== 'string' || typeof file.text !== 'string') return null;
      if (!isValidName(file.name) || names.has(file.name) || file.text.length > MAX_FILE_CHARS) return null;
      names.add(file.name);
      files.push({ name: file.name, text: file.text });
    }
    const engine = data.engine === 'postgres' ? 'postgres' : 'sqlite';
    const selected = typeof data.selected === 'string' && names.has(data.selected) ? data.selected : null;
    return { files: sortFiles(files), engine, selected };
  } catch {
    return null;
  }
}

/** Forgets the edited copy of the last share link opened ("Clear workspace"). */
export function forgetSavedLink(): void {
  try {
    localStorage.removeItem(LINK_KEY);
  } catch {
    /* storage disabled: nothing was kept */
  }
}

/** Saves the state; false when the browser refuses (storage full or disabled). */
export function save(state: SharedState, link?: { hash: string }): boolean {
  try {
    localStorage.setItem(link ? LINK_KEY : KEY, JSON.stringify(link ? { ...state, hash: link.hash } : state));
    return true;
  } catch {
    return false;
  }
}

/** The files of the `moonwalk play` server with token `token` as the page has them, and what it knows of the folder. */
const PLAY_KEY = 'moonwalk.play.v1';

export function loadPlay(token: string): (SharedState & { play: PlayState }) | null {
  try {
    const raw = localStorage.getItem(PLAY_KEY);
    if (!raw) return null;
    const data = JSON.parse(raw) as { token?: unknown; play?: Partial<PlayState> };
    const play = data.play;
    if (data.token !== token || typeof play?.folder !== 'string') return null;
    const state = read(PLAY_KEY);
    const record = (v: unknown) =>
      typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string')
        ? (v as Record<string, string>)
        : null;
    const versions = record(play.versions);
    const savedText = record(play.savedText);
    if (state === null || versions === null || savedText === null) return null;
    return { ...state, play: { folder: play.folder, versions, savedText, saving: false } };
  } catch {
    return null;
  }
}

export function savePlay(token: string, state: SharedState, play: PlayState): boolean {
  try {
    localStorage.setItem(PLAY_KEY, JSON.stringify({ ...state, token, play: { ...play, saving: false } }));
    return true;
  } catch {
    return false;
  }
}
