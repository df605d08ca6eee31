/**
 * The page's playground (store/playground.ts): its start (a share link in the address, else the saved files, else
 * the examples), the engine worker it talks to, saving to local storage, and the hook views read it with. Views
 * read the state with `useStore` and change it only through the actions exported here.
 */
import { useStore as useZustand } from 'zustand';
import { EXAMPLE_FILES } from './examples.ts';
import { sortFiles } from './files.ts';
import { forgetSavedLink, loadSaved, loadSavedLink, save } from './persist.ts';
import type { SharedState } from './share.ts';
import { applyTheme, followSystem, savedTheme, saveTheme } from './theme.ts';
import { connectWorker } from './worker/client.ts';
import { forgetKeptDatabases, keepDatabase, keptDatabase } from './db-keep.ts';
import type { Surroundings } from './store/context.ts';
import { createPlayground } from './store/playground.ts';
import { decodeLink } from './store/share.ts';
import type { PlaygroundState, Start } from './store/state.ts';
import { connectPlayServer, playToken, type PlayServer } from './play-server.ts';
import { loadPlay, savePlay } from './persist.ts';
import { playStateOf } from './store/play.ts';

export {
  fileState,
  idle,
  missingIds,
  RESULT_WORDS,
  statusText,
  type FileState,
  type LogEntry,
  unsavedFiles,
  type PlaygroundState,
} from './store/state.ts';
export { COMPARE_LABEL, compareVerdict } from './store/compare.ts';

/** The `moonwalk play` server the page came from (a token in the address), or null. */
const addressToken = playToken(location.search);
const playServer: PlayServer | null = addressToken === null ? null : await connectPlayServer(addressToken);

/**
 * Opened by `moonwalk play`: the folder's files, or the page's copy of them with its unsaved edits when this tab
 * saw the same server before (a reload).
 */
function playStart(server: PlayServer, token: string): Start {
  const theme = savedTheme();
  const kept = loadPlay(token);
  const { session } = server;
  const engine = session.baseline?.engine ?? kept?.engine ?? 'sqlite';
  if (kept) return { ...kept, engine, alert: null, sharedHash: '', workspace: 'own', theme };
  const files = sortFiles(session.files.map(({ name, text }) => ({ name, text })));
  return {
    files,
    selected: files[0]?.name ?? null,
    engine,
    alert: null,
    sharedHash: '',
    workspace: 'own',
    theme,
    play: playStateOf(server),
  };
}

async function readStart(): Promise<Start> {
  if (playServer !== null && addressToken !== null) return playStart(playServer, addressToken);
  const hash = location.hash;
  const theme = savedTheme();
  const fallback = (): SharedState =>
    loadSaved() ?? { files: EXAMPLE_FILES.map((f) => ({ ...f })), engine: 'sqlite', selected: EXAMPLE_FILES[0].name };
  if (hash.length > 1) {
    const decoded = await decodeLink(hash);
    // The link opened before, with the edits made to it since (its starting database is still the link's).
    const edited = loadSavedLink(hash);
    if (edited) {
      const baseline = decoded.ok ? decoded.state.baseline : null;
      return { ...edited, baseline, alert: null, sharedHash: hash, workspace: 'link', theme };
    }
    if (decoded.ok) {
      const files = sortFiles(decoded.state.files);
      const selected = decoded.state.selected ?? null;
      return { ...decoded.state, files, selected, alert: null, sharedHash: hash, workspace: 'link', theme };
    }
    return { ...fallback(), alert: { message: decoded.message }, sharedHash: '', workspace: 'own', theme };
  }
  return { ...fallback(), alert: null, sharedHash: '', workspace: 'own', theme };
}

const surroundings: Surroundings = {
  ...(playServer ? { play: playServer } : {}),
  hash: () => location.hash,
  replaceHash: (hash) => history.replaceState(null, '', hash ?? location.pathname + location.search),
  href: () => location.href,
  editedLink: loadSavedLink,
  forgetEditedLinks: forgetSavedLink,
  async copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // No clipboard permission (or no secure context): the link is in the address bar all the same.
      return false;
    }
  },
};

// A module-level await: with a link in the address, the page renders its files from the first paint on.
const playground = createPlayground({
  start: await readStart(),
  connect: connectWorker,
  surroundings,
  keeper: { keep: keepDatabase, kept: keptDatabase, forget: forgetKeptDatabases },
});

/** The state, for views: `useStore((s) => s.files)`; `getState` and `subscribe` for effects. Never written here. */
export const useStore = Object.assign(
  <T>(selector: (state: PlaygroundState) => T): T => useZustand(playground.store, selector),
  { getState: playground.store.getState, subscribe: playground.store.subscribe },
);

export const {
  selectFile,
  updateText,
  newMigration,
  renameFile,
  deleteFile,
  showLine,
  showDiff,
  dismissAlert,
  clearLog,
  report,
  note,
  setShortcutsOpen,
  doneNaming,
  setTheme,
  replaceFiles,
  runCommand,
  resetDatabase,
  verify,
  runSql,
  stop,
  switchEngine,
  compareEngines,
  closeCompare,
  share,
  occupy,
  openDatabaseFile,
  loadSqlDump,
  startEmpty,
  saveToFolder,
  readRows,
  clearWorkspace,
} = playground.actions;

/** Starts the page's playground: the engine, saving to local storage, links pasted into the address. */
export function startPlayground(): void {
  const { store } = playground;
  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  // A share link's files are saved apart from the person's own (with the link's hash), never over them.
  const persist = (state: PlaygroundState = store.getState()) => {
    saveTimer = null;
    const { files, engine, selected } = state;
    const link = state.workspace === 'link' ? { hash: state.sharedHash } : undefined;
    const saved =
      state.play !== null && addressToken !== null
        ? savePlay(addressToken, { files, engine, selected }, state.play)
        : save({ files, engine, selected }, link);
    if (!saved) note('warn', 'The browser refused to save the files (local storage full or disabled).');
  };
  store.subscribe((state, previous) => {
    if (state.workspace !== previous.workspace && saveTimer) {
      clearTimeout(saveTimer);
      persist(previous); // the edits of the moment before the switch, where they belong
    }
    if (
      state.files === previous.files &&
      state.engine === previous.engine &&
      state.selected === previous.selected &&
      state.sharedHash === previous.sharedHash &&
      state.play === previous.play
    )
      return;
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(persist, 250);
  });
  addEventListener('pagehide', () => {
    if (saveTimer) {
      clearTimeout(saveTimer);
      persist();
    }
  });
  addEventListener('hashchange', () => playground.actions.addressChanged());
  store.subscribe((state, previous) => {
    if (state.theme === previous.theme) return;
    saveTheme(state.theme);
    applyTheme(state.theme);
  });
  followSystem(() => store.getState().theme);
  void playground.start();
}
