/**
 * The page (DESIGN §7). The accessible names used here are a contract: tests outside the project find the controls
 * by them ("Apply next", …, the "Engine" control, the status region, the "Schema", "Diff" and "Log" regions).
 */
import { lazy, Suspense, useState } from 'react';
import {
  dismissAlert,
  resetDatabase,
  runCommand,
  share,
  showLine,
  statusText,
  stop,
  switchEngine,
  useStore,
  verify,
  compareEngines,
  setTheme,
  saveToFolder,
  unsavedFiles,
} from '../store.ts';
import { THEME_LABELS, type ThemeChoice } from '../theme.ts';
import { progressLine } from '../run-progress.ts';
import { ariaKeys, withKeys } from '../shortcuts.ts';
import { COMMAND_LABELS, ENGINE_LABELS, type EngineId, type RunCommand } from '../worker/protocol.ts';
import { Editor } from './Editor.tsx';
import { FileBar } from './FileBar.tsx';
import { FileList } from './FileList.tsx';
import { LearningLayer, LearningTools } from './Learning.tsx';
import { DatabasePanel, DiffPanel, LogPanel, SqlConsole } from './Panels.tsx';
import { KeyboardShortcuts } from './ShortcutsHelp.tsx';
import { OwnDatabase } from './OwnDatabase.tsx';
import { Separator } from './Separator.tsx';
import { panelStyle, usePanelSizes } from '../panel-sizes.ts';

const COMMAND_HELP: Record<RunCommand, string> = {
  'apply-next': 'Apply the first pending migration',
  'apply-all': 'Apply every pending migration, in order',
  'revert-last': 'Revert the last applied migration',
  'revert-all': 'Revert every applied migration',
  redo: 'Revert the last applied migration and apply it again (with the text as it is now)',
};

function Header() {
  const engine = useStore((s) => s.engine);
  const status = useStore((s) => statusText(s));
  const engineState = useStore((s) => s.engineState);
  const busy = useStore((s) => s.busy);
  const running = useStore((s) => (s.progress?.current ? progressLine(s.progress) : null));
  const shareNote = useStore((s) => s.shareNote);
  // The command, short enough for the header at 1280 px; which migration it is at is in the title and the Log's head.
  const busyText = busy !== null ? `Running: ${busy}…` : '';
  return (
    <header className="topbar">
      <h1>
        <span className="logo" aria-hidden="true">
          ☾
        </span>{' '}
        Moonwalk <span className="sub">playground</span>
      </h1>
      <div className="engine">
        <label htmlFor="engine-select">Engine</label>
        <select
          id="engine-select"
          value={engine}
          disabled={busy !== null}
          onChange={(e) => switchEngine(e.target.value as EngineId)}
        >
          <option value="sqlite">SQLite</option>
          <option value="postgres">PostgreSQL</option>
        </select>
      </div>
      {/* The engine's name is read always, shown only where the header has room (the select beside it says it). */}
      <p role="status" className={`engine-status state-${engineState}`}>
        <span className="status-engine">{ENGINE_LABELS[engine]}</span>
        {status.slice(ENGINE_LABELS[engine].length)}
      </p>
      {/* Takes the header's free room (it is also what pushes the controls after it to the right). */}
      <p className="busy" aria-live="polite" title={running ?? (busyText || undefined)}>
        {busyText}
      </p>
      <ThemeSelect />
      <LearningTools />
      <SaveToFolder />
      <span className="share">
        <button
          type="button"
          onClick={() => void share()}
          title="Put a link holding these migrations in the address bar (and on the clipboard)"
        >
          Share
        </button>
        <span className="share-note" aria-live="polite">
          {shareNote}
        </span>
      </span>
      <button
        type="button"
        className="danger"
        onClick={() => void stop()}
        // Enabled while something runs, or to start a fresh engine after the worker failed.
        disabled={busy === null && engineState !== 'failed'}
        aria-keyshortcuts={ariaKeys('stop')}
        title={withKeys(
          'End what runs now; the database goes back to how it was after the last migration that committed',
          'stop',
        )}
      >
        Stop
      </button>
    </header>
  );
}

/**
 * Save: shown only on the page `moonwalk play` serves; writes the edited files back to its folder. How many files are
 * unsaved is a badge on the button's corner (it takes no room in the header's one row, and nothing floats over the
 * page); the folder is in its tooltip, and both in its description.
 */
function SaveToFolder() {
  const folder = useStore((s) => s.play?.folder ?? null);
  const saving = useStore((s) => s.play?.saving === true);
  const unsaved = useStore((s) => unsavedFiles(s).length);
  if (folder === null) return null;
  return (
    <span className="save-to-folder">
      <button
        type="button"
        onClick={() => void saveToFolder()}
        disabled={saving}
        aria-describedby="save-note"
        title={`Write the edited files to ${folder} (moonwalk play); a file changed on disk meanwhile is not overwritten`}
      >
        Save
        {unsaved > 0 && (
          <span className="unsaved-count" aria-hidden="true">
            {unsaved}
          </span>
        )}
      </button>
      <span id="save-note" className="sr-only">
        {unsaved === 0 ? `Everything saved in ${folder}` : `${unsaved} unsaved in ${folder}`}
      </span>
    </span>
  );
}

function ThemeSelect() {
  const theme = useStore((s) => s.theme);
  return (
    <div className="engine theme">
      <label htmlFor="theme-select">Theme</label>
      <select id="theme-select" value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)}>
        {(Object.keys(THEME_LABELS) as ThemeChoice[]).map((t) => (
          <option key={t} value={t}>
            {THEME_LABELS[t]}
          </option>
        ))}
      </select>
    </div>
  );
}

function Toolbar() {
  const busy = useStore((s) => s.busy);
  const ready = useStore((s) => s.engineState === 'ready');
  const disabled = busy !== null || !ready;
  const commands: RunCommand[] = ['apply-next', 'apply-all', 'revert-last', 'revert-all', 'redo'];
  return (
    <div className="toolbar" role="toolbar" aria-label="Migration commands">
      {commands.map((c) => (
        <button
          key={c}
          type="button"
          className={c.startsWith('apply') ? 'primary' : undefined}
          disabled={disabled}
          title={withKeys(COMMAND_HELP[c], c)}
          aria-keyshortcuts={ariaKeys(c)}
          onClick={() => void runCommand(c)}
        >
          {COMMAND_LABELS[c]}
        </button>
      ))}
      <span className="sep" aria-hidden="true" />
      <button
        type="button"
        disabled={disabled}
        onClick={() => void verify()}
        aria-keyshortcuts={ariaKeys('verify')}
        title={withKeys('On a throwaway database: up, down, compare, up again, for each migration', 'verify')}
      >
        Verify
      </button>
      <button
        type="button"
        id="compare-engines-button"
        disabled={disabled}
        onClick={() => void compareEngines()}
        aria-keyshortcuts={ariaKeys('compare')}
        title={withKeys(
          'Apply every file on a fresh SQLite and a fresh ' + 'PostgreSQL database and show where the schemas differ',
          'compare',
        )}
      >
        Compare<span className="compare-button-more"> engines</span>
      </button>
      <button
        type="button"
        disabled={disabled}
        onClick={() => void resetDatabase()}
        aria-keyshortcuts={ariaKeys('reset')}
        title={withKeys('Throw the database away and start an empty one', 'reset')}
      >
        Reset database
      </button>
    </div>
  );
}

function AlertBar() {
  const alert = useStore((s) => s.alert);
  if (!alert) return null;
  return (
    <div className="alert" role="alert">
      <span className="alert-text">{alert.message}</span>
      {alert.link && (
        <button type="button" className="link" onClick={() => showLine(alert.link!)}>
          Go to line {alert.link.line}
        </button>
      )}
      <button type="button" className="link quiet" onClick={dismissAlert}>
        Dismiss
      </button>
    </div>
  );
}

// The Compare engines dialog's chunk loads when it is first used, not with the page; it stays mounted from then on.
const CompareEnginesDialog = lazy(() =>
  import('./CompareEngines.tsx').then((m) => ({ default: m.CompareEnginesDialog })),
);

function CompareEnginesLayer() {
  const used = useStore((s) => s.compare.phase !== 'idle');
  return used ? (
    <Suspense fallback={null}>
      <CompareEnginesDialog />
    </Suspense>
  ) : null;
}

const PHONE_TABS = [
  { id: 'files', label: 'Files' },
  { id: 'editor', label: 'Editor' },
  { id: 'database', label: 'Database' },
  { id: 'log', label: 'Log' },
] as const;
type PhoneTab = (typeof PHONE_TABS)[number]['id'];

/** On a phone the panels take turns (styles.css hides the others); on wider screens this bar is not shown. */
function PhoneTabs({ tab, choose }: { tab: PhoneTab; choose: (tab: PhoneTab) => void }) {
  return (
    <div className="phone-tabs" role="tablist" aria-label="Panels">
      {PHONE_TABS.map((t) => (
        <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} onClick={() => choose(t.id)}>
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function App() {
  const [phoneTab, setPhoneTab] = useState<PhoneTab>('editor');
  const [sizes, resize] = usePanelSizes();
  return (
    // The sizes' variables on the whole page: the tour's card follows the file column's width too (learning.css).
    <div className="app" style={panelStyle(sizes)}>
      <Header />
      {/* The separators resize the panels on either side of them (not shown below 1000 px, where panels stack). */}
      <main className="layout" data-phone-tab={phoneTab}>
        <PhoneTabs tab={phoneTab} choose={setPhoneTab} />
        <FileList />
        <Separator
          label="File list width"
          orientation="vertical"
          resizes="before"
          unit="px"
          min={160}
          max={480}
          keep={420}
          onResize={(v) => resize('files', v)}
        />
        <div className="center">
          <Toolbar />
          <section className="editor-panel" aria-label="Editor">
            <FileBar />
            <Editor />
            {/* Over the editor's lower edge: an alert coming or going moves nothing. */}
            <AlertBar />
            <OwnDatabase />
          </section>
          <Separator
            label="Log height"
            orientation="horizontal"
            resizes="after"
            unit="px"
            min={72}
            max={900}
            keep={112}
            onResize={(v) => resize('log', v)}
          />
          <LogPanel />
        </div>
        <Separator
          label="Database column width"
          orientation="vertical"
          resizes="after"
          unit="px"
          min={260}
          max={1100}
          keep={420}
          onResize={(v) => resize('side', v)}
        />
        <aside className="side" aria-label="Database">
          <DatabasePanel />
          <Separator
            label="Schema height"
            orientation="horizontal"
            resizes="before"
            unit="%"
            min={15}
            max={85}
            onResize={(v) => resize('schema', v)}
          />
          <DiffPanel />
          <SqlConsole />
        </aside>
      </main>
      <LearningLayer />
      <CompareEnginesLayer />
      <KeyboardShortcuts />
    </div>
  );
}
