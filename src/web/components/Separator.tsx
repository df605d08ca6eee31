/**
 * A separator between two panels that resizes them: dragged with the pointer, or focused and moved with the arrow
 * keys (Shift: bigger steps), Home and End; a double click puts it back. As WAI-ARIA's focusable separator: its
 * value is the size of the panel it resizes, measured from the page, so it is true whatever set it.
 */
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';

export interface SeparatorProps {
  /** Its accessible name: which panel it resizes ("File list width"). */
  label: string;
  /** 'vertical': a line between two columns, moved left and right; 'horizontal': between two rows. */
  orientation: 'vertical' | 'horizontal';
  /** The panel it resizes: the one before it (left, above) or the one after it. */
  resizes: 'before' | 'after';
  /**
   * 'px': the panel's width in pixels, the other panel giving way down to `keep` pixels; '%': the panel's share of the
   * two panels' length.
   */
  unit: 'px' | '%';
  min: number;
  max: number;
  /** px only: what the other panel keeps at least. */
  keep?: number;
  onResize: (value: number | undefined) => void;
}

const STEP = { px: 16, '%': 4 };

function length(el: Element | null, orientation: SeparatorProps['orientation']): number {
  if (!el) return 0;
  const box = el.getBoundingClientRect();
  return orientation === 'vertical' ? box.width : box.height;
}

export function Separator({ label, orientation, resizes, unit, min, max, keep = 0, onResize }: SeparatorProps) {
  const self = useRef<HTMLDivElement>(null);
  const [now, setNow] = useState(min);
  const [high, setHigh] = useState(max);
  const [dragging, setDragging] = useState(false);
  const drag = useRef<{ start: number; from: number } | null>(null);

  /** The resized panel's size now, and the bounds it may move within. */
  const measure = () => {
    const el = self.current;
    const before = length(el?.previousElementSibling ?? null, orientation);
    const after = length(el?.nextElementSibling ?? null, orientation);
    const mine = resizes === 'before' ? before : after;
    if (unit === '%') {
      const per = 100 / Math.max(1, before + after);
      return { value: mine * per, low: min, high: max, per };
    }
    const other = resizes === 'before' ? after : before;
    return { value: mine, low: min, high: Math.max(min, Math.min(max, mine + other - keep)), per: 1 };
  };

  const latest = useRef(measure);
  latest.current = measure;
  // The value follows the panels' sizes, whatever changed them (this separator, the window, a media query).
  useLayoutEffect(() => {
    const el = self.current;
    if (!el) return;
    const update = () => {
      const { value, high } = latest.current();
      setNow(Math.round(value));
      setHigh(Math.round(high));
    };
    update();
    const observer = new ResizeObserver(update);
    for (const panel of [el.previousElementSibling, el.nextElementSibling]) if (panel) observer.observe(panel);
    return () => observer.disconnect();
  }, []);

  /** Moves the separator by `delta` pixels (right or down positive). */
  const moveTo = (from: number, delta: number) => {
    const { low, high, per } = measure();
    const grow = resizes === 'before' ? delta : -delta;
    onResize(Math.min(high, Math.max(low, from + grow * per)));
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const [back, forward] = orientation === 'vertical' ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
    const { value, low, high } = measure();
    const step = STEP[unit] * (event.shiftKey ? 4 : 1);
    const grow = resizes === 'before' ? 1 : -1;
    let next: number;
    if (event.key === back) next = value - step * grow;
    else if (event.key === forward) next = value + step * grow;
    else if (event.key === 'Home') next = low;
    else if (event.key === 'End') next = high;
    else return;
    event.preventDefault();
    onResize(Math.min(high, Math.max(low, next)));
  };

  const position = (event: PointerEvent) => (orientation === 'vertical' ? event.clientX : event.clientY);

  return (
    <div
      ref={self}
      className={`separator${dragging ? ' dragging' : ''}`}
      role="separator"
      tabIndex={0}
      aria-label={label}
      aria-orientation={orientation}
      aria-valuenow={now}
      aria-valuemin={min}
      aria-valuemax={Math.max(now, high)}
      aria-valuetext={unit === 'px' ? `${now} pixels` : `${now} percent`}
      title={`${label}: drag, or use the arrow keys; double-click for the usual size`}
      onKeyDown={onKeyDown}
      onDoubleClick={() => onResize(undefined)}
      onPointerDown={(event) => {
        if (event.button !== 0) return;
        event.preventDefault();
        event.currentTarget.setPointerCapture(event.pointerId);
        drag.current = { start: position(event), from: measure().value };
        setDragging(true);
      }}
      onPointerMove={(event) => {
        if (drag.current) moveTo(drag.current.from, position(event) - drag.current.start);
      }}
      onPointerUp={() => {
        drag.current = null;
        setDragging(false);
      }}
      onPointerCancel={() => {
        drag.current = null;
        setDragging(false);
      }}
    />
  );
}
