/**
 * A download made once and shared by every caller (a lazy chunk, a wasm module, a data file), forgotten when it
 * fails, so that the next call tries again instead of repeating an old failure (a chunk lost to a dropped
 * connection loads at the next use).
 */
export interface LoadOnce<T> {
  (): Promise<T>;
  /** Takes a download already started elsewhere as this one (the worker's entry starts SQLite's wasm early). */
  use(started: Promise<T>): void;
}

export function loadOnce<T>(load: () => Promise<T>): LoadOnce<T> {
  let pending: Promise<T> | null = null;
  const keep = (started: Promise<T>): Promise<T> => {
    pending = started;
    started.catch(() => {
      if (pending === started) pending = null;
    });
    return started;
  };
  const get = (() => pending ?? keep(load())) as LoadOnce<T>;
  get.use = (started) => {
    void keep(started);
  };
  return get;
}
