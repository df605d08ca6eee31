/**
 * The selected file's name, its state, and Rename / Delete (both inline: no browser dialogs). A file just added with
 * New migration opens in Rename, its descriptive part selected; once named, the editor has the focus.
 */
import { useEffect, useState, type FormEvent, type SyntheticEvent } from 'react';
import { deleteFile, doneNaming, fileState, renameFile, useStore } from '../store.ts';

/** Selects the part of a file name worth changing: after the number, before `.lua`. */
function selectDescription(event: SyntheticEvent<HTMLInputElement>): void {
  const input = event.currentTarget;
  const match = /^(\d+_)?(.*?)(\.lua)?$/.exec(input.value);
  const start = match?.[1]?.length ?? 0;
  input.setSelectionRange(start, input.value.length - (match?.[3]?.length ?? 0));
}

const focusEditor = () => requestAnimationFrame(() => document.querySelector<HTMLElement>('.cm-content')?.focus());

export function FileBar() {
  const selected = useStore((s) => s.selected);
  const naming = useStore((s) => s.naming);
  const state = useStore((s) => (s.selected ? fileState(s, s.selected) : null));
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    setProblem(null);
    if (selected !== null && selected === naming) {
      setName(selected);
      setMode('rename');
    } else setMode('view');
  }, [selected, naming]);

  /** Back to showing the name; a new file's naming is over, and its text is next. */
  const close = () => {
    setMode('view');
    if (naming !== null) {
      doneNaming();
      focusEditor();
    }
  };

  if (!selected)
    return (
      <div className="filebar">
        <span className="empty">No file selected.</span>
      </div>
    );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const error = renameFile(selected, name);
    setProblem(error);
    if (!error) close();
  };

  if (mode === 'rename') {
    return (
      <form className="filebar" onSubmit={submit}>
        <label htmlFor="rename-input">New file name</label>
        <input
          id="rename-input"
          value={name}
          autoFocus
          onFocus={selectDescription}
          spellCheck={false}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
          }}
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={problem ? 'rename-problem' : undefined}
        />
        <button type="submit" className="small">
          Save name
        </button>
        <button type="button" className="small quiet" onClick={close}>
          Cancel
        </button>
        {problem && (
          <span id="rename-problem" className="problem">
            {problem}
          </span>
        )}
      </form>
    );
  }

  if (mode === 'delete') {
    return (
      <div className="filebar">
        <span className="confirm">
          Delete <strong>{selected}</strong>?
          {state === 'applied' || state === 'modified'
            ? ' It is applied: the database keeps its changes, and it shows as missing.'
            : ''}
        </span>
        <button
          type="button"
          className="small danger"
          onClick={() => {
            deleteFile(selected);
            setMode('view');
          }}
        >
          Delete file
        </button>
        <button type="button" className="small quiet" onClick={() => setMode('view')}>
          Cancel
        </button>
      </div>
    );
  }

  return (
    <div className="filebar">
      <h2 className="filename" title={selected}>
        {selected}
      </h2>
      {state && <span className={`badge badge-${state}`}>{state}</span>}
      <span className="spacer" />
      <button
        type="button"
        className="small quiet"
        onClick={() => {
          setName(selected);
          setProblem(null);
          setMode('rename');
        }}
      >
        Rename
      </button>
      <button type="button" className="small quiet" onClick={() => setMode('delete')}>
        Delete
      </button>
    </div>
  );
}
