/**
 * The page's playground (store/playground.ts): its start (a share link in the address, else the saved files, else
 * the examples), the engine worker it talks to, saving to local storage, and the hook views read it with. Views
 * read the state with `useStore` and change it only through the actions exported here.
 */
import { useStore as useZustand } from 'zustand';
import { EXAMPLE_FILES } from './examples.ts';
import { sortFiles } from './files.ts';
import { loadSaved, save } from './persist.ts';
import type { SharedState } from './share.ts';
import { connectWorker } from './worker/client.ts';
import type { Surroundings } from './store/context.ts';
import { createPlayground } from './store/playground.ts';
import { decodeLink } from './store/share.ts';
import type { PlaygroundState, Start } from './store/state.ts';

export {
  fileState,
  idle,
  missingIds,
  RESULT_WORDS,
  statusText,
  type FileState,
  type LogEntry,
  type PlaygroundState,
} from './store/state.ts';
export { COMPARE_LABEL } from './store/compare.ts';

async function readStart(): Promise<Start> {
  const hash = location.hash;
  const fallback = (): SharedState =>
    loadSaved() ?? { files: EXAMPLE_FILES.map((f) => ({ ...f })), engine: 'sqlite', selected: EXAMPLE_FILES[0]!.name };
  if (hash.length > 1) {
    const decoded = await decodeLink(hash);
    if (decoded.ok) {
      const files = sortFiles(decoded.state.files);
      return { ...decoded.state, files, selected: decoded.state.selected ?? null, alert: null, sharedHash: hash };
    }
    return { ...fallback(), alert: { message: decoded.message }, sharedHash: '' };
  }
  return { ...fallback(), alert: null, sharedHash: '' };
}

const surroundings: Surroundings = {
  hash: () => location.hash,
  replaceHash: (hash) => history.replaceState(null, '', hash ?? location.pathname + location.search),
  href: () => location.href,
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
const playground = createPlayground({ start: await readStart(), connect: connectWorker, surroundings });

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
} = playground.actions;

/** Starts the page's playground: the engine, saving to local storage, links pasted into the address. */
export function startPlayground(): void {
  const { store } = playground;
  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  const persist = () => {
    saveTimer = null;
    const { files, engine, selected } = store.getState();
    if (!save({ files, engine, selected }))
      note('warn', 'The browser refused to save the files (local storage full or disabled).');
  };
  store.subscribe((state, previous) => {
    if (state.files === previous.files && state.engine === previous.engine && state.selected === previous.selected)
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
  void playground.start();
}
