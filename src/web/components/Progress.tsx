/**
 * Progress of a long command, in the Log panel's header: which migration of how many, the time it has run, the
 * statements sent so far, and a bar across the migrations. It appears only once a command has run for a moment
 * (a quick one would just flicker), in space that is always reserved, so nothing moves when it comes and goes.
 */
import { useEffect, useState } from 'react';
import { formatMs, megabytes } from '../format.ts';
import { progressLine } from '../run-progress.ts';
import { keyLabel } from '../shortcuts.ts';
import { useStore } from '../store.ts';

/** A command shorter than this shows no progress. */
const SHOW_AFTER_MS = 300;
/** How often the elapsed time is redrawn. */
const TICK_MS = 100;

export function RunProgress() {
  const busy = useStore((s) => s.busy);
  const progress = useStore((s) => s.progress);
  const [now, setNow] = useState(() => performance.now());
  const startedAt = progress?.startedAt ?? null;
  useEffect(() => {
    if (startedAt === null) return;
    setNow(performance.now());
    const timer = setInterval(() => setNow(performance.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [startedAt]);
  const elapsed = progress ? now - progress.startedAt : 0;
  if (busy === null || progress === null || elapsed < SHOW_AFTER_MS) return <div className="run-progress" />;
  const { steps, statements, bytes } = progress;
  const done = progress.finished.length;
  const known = steps !== null && steps > 0;
  const fraction = known ? Math.min(1, done / steps) : 0;
  if (bytes)
    return <FileReadProgress label={progress.label} line={progressLine(progress)} elapsed={elapsed} {...bytes} />;
  return (
    <div className="run-progress" role="group" aria-label="Run progress">
      <p className="progress-text">
        <span className="progress-line">{progressLine(progress)}</span>
        <span className="progress-elapsed"> · {formatMs(elapsed)}</span>
        {statements > 0 && (
          <span className="progress-statements">
            {' '}
            · {statements.toLocaleString('en-US')} statement{statements === 1 ? '' : 's'}
          </span>
        )}
        <span className="progress-hint"> · {keyLabel('stop')} stops</span>
      </p>
      <div
        className={`progress-track${known ? '' : ' indeterminate'}`}
        role="progressbar"
        aria-label={`${progress.label}: migrations done`}
        aria-valuemin={0}
        {...(known
          ? { 'aria-valuemax': steps, 'aria-valuenow': done, 'aria-valuetext': `${done} of ${steps} migrations done` }
          : {})}
      >
        <div className="progress-fill" style={known ? { width: `${fraction * 100}%` } : undefined} />
        {known && progress.current && done < steps && (
          // The migration running now: its share of the bar pulses.
          <div className="progress-current" style={{ left: `${fraction * 100}%`, width: `${100 / steps}%` }} />
        )}
      </div>
    </div>
  );
}

/** A SQLite file being read into the engine: the bar across its bytes. */
function FileReadProgress(props: { label: string; line: string; elapsed: number; read: number; total: number }) {
  const { label, line, elapsed, read, total } = props;
  return (
    <div className="run-progress" role="group" aria-label="Run progress">
      <p className="progress-text">
        <span className="progress-line">{line}</span>
        <span className="progress-elapsed"> · {formatMs(elapsed)}</span>
        <span className="progress-hint"> · {keyLabel('stop')} stops</span>
      </p>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={`${label}: bytes read`}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={read}
        aria-valuetext={`${megabytes(read)} of ${megabytes(total)} read`}
      >
        <div className="progress-fill" style={{ width: `${total > 0 ? (read / total) * 100 : 100}%` }} />
      </div>
    </div>
  );
}
