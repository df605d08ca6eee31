/**
 * The panel sizes a person set with the separators (components/Separator.tsx), kept in local storage. The two side
 * columns are widths and the log a height in pixels (the editor takes the rest: a header that wraps moves nothing
 * below it); Schema over Diff is the share (percent) Schema gets of the two. A size not set follows the stylesheet
 * (the database column grows with the window).
 */
import { useEffect, useState, type CSSProperties } from 'react';

export interface PanelSizes {
  /** The file list's width, px. */
  files?: number;
  /** The database column's width (Schema, Diff, SQL console), px. */
  side?: number;
  /** The log's height, px. */
  log?: number;
  /** Schema's share of Schema and Diff, percent. */
  schema?: number;
}
export type PanelSizeName = keyof PanelSizes;

const KEY = 'moonwalk.panels.v1';
const NAMES: PanelSizeName[] = ['files', 'side', 'log', 'schema'];

/** What `raw` (the stored JSON) holds of the sizes; anything else is left out. */
export function readPanelSizes(raw: string | null): PanelSizes {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '{}');
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const sizes: PanelSizes = {};
  for (const name of NAMES) {
    const value = (parsed as Record<string, unknown>)[name];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) sizes[name] = value;
  }
  return sizes;
}

function saved(): PanelSizes {
  try {
    return readPanelSizes(localStorage.getItem(KEY));
  } catch {
    return {};
  }
}

function save(sizes: PanelSizes): void {
  try {
    if (Object.keys(sizes).length === 0) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify(sizes));
  } catch {
    // Not remembered; the page still resizes.
  }
}

/**
 * The layout's CSS variables for `sizes` (styles.css reads them, with its defaults for those not set). A stored size
 * never takes more of a smaller window than the editor can spare.
 */
export function panelStyle(sizes: PanelSizes): CSSProperties {
  const style: Record<string, string> = {};
  if (sizes.files !== undefined) style['--files-width'] = `min(${sizes.files}px, 30vw)`;
  // The editor's column keeps 28rem whatever the window (2.5rem more: the page's padding and the separators); the
  // database column gives way first, down to 260 px.
  if (sizes.side !== undefined)
    style['--side-width'] = `max(260px, min(${sizes.side}px, 100vw - var(--files-width, 240px) - 30.5rem))`;
  if (sizes.log !== undefined) style['--log-height'] = `min(${sizes.log}px, 70vh)`;
  if (sizes.schema !== undefined) style['--schema-share'] = String(sizes.schema);
  return style;
}

/** The sizes, remembered; `resize(name, undefined)` goes back to the stylesheet's size. */
export function usePanelSizes(): [PanelSizes, (name: PanelSizeName, value: number | undefined) => void] {
  const [sizes, setSizes] = useState(saved);
  useEffect(() => save(sizes), [sizes]);
  const resize = (name: PanelSizeName, value: number | undefined) =>
    setSizes((current) => {
      const next = { ...current };
      if (value === undefined) delete next[name];
      else next[name] = Math.round(value * 10) / 10;
      return next;
    });
  return [sizes, resize];
}
