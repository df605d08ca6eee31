/**
 * The page (DESIGN §7). The accessible names used here are a contract: tests outside the project find the controls
 * by them ("Apply next", …, the "Engine" control, the status region, the "Schema", "Diff" and "Log" regions).
 */
import { lazy, Suspense } from 'react';
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
} from '../store.ts';
import { ariaKeys, withKeys } from '../shortcuts.ts';
import { COMMAND_LABELS, type EngineId, type RunCommand } from '../worker/protocol.ts';
import { Editor } from './Editor.tsx';
import { FileBar } from './FileBar.tsx';
import { FileList } from './FileList.tsx';
import { LearningLayer, LearningTools } from './Learning.tsx';
import { DatabasePanel, DiffPanel, LogPanel, SqlConsole } from './Panels.tsx';
import { KeyboardShortcuts } from './ShortcutsHelp.tsx';

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
      <p role="status" className={`engine-status state-${engineState}`}>
        {status}
      </p>
      <p className="busy" aria-hidden={busy === null}>
        {busy !== null ? `${busy}…` : ''}
      </p>
      <span className="spacer" />
      <LearningTools />
      <button
        type="button"
        onClick={() => void share()}
        title="Put a link holding these migrations in the address bar (and on the clipboard)"
      >
        Share
      </button>
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

export function App() {
  return (
    <div className="app">
      <Header />
      <main className="layout">
        <FileList />
        <div className="center">
          <Toolbar />
          <AlertBar />
          <section className="editor-panel" aria-label="Editor">
            <FileBar />
            <Editor />
          </section>
          <LogPanel />
        </div>
        <aside className="side" aria-label="Database">
          <DatabasePanel />
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
