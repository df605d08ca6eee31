/** The selected file's name, its state, and Rename / Delete (both inline: no browser dialogs). */
import { useEffect, useState, type FormEvent } from 'react';
import { deleteFile, fileState, renameFile, useStore } from '../store.ts';

export function FileBar() {
  const selected = useStore((s) => s.selected);
  const state = useStore((s) => (s.selected ? fileState(s, s.selected) : null));
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    setMode('view');
    setProblem(null);
  }, [selected]);

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
    if (!error) setMode('view');
  };

  if (mode === 'rename') {
    return (
      <form className="filebar" onSubmit={submit}>
        <label htmlFor="rename-input">New file name</label>
        <input
          id="rename-input"
          value={name}
          autoFocus
          spellCheck={false}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setMode('view');
          }}
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={problem ? 'rename-problem' : undefined}
        />
        <button type="submit" className="small">
          Save name
        </button>
        <button type="button" className="small quiet" onClick={() => setMode('view')}>
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
      <h2 className="filename">{selected}</h2>
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
