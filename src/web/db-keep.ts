/**
 * The database the person had, kept in the browser (IndexedDB: local storage is far too small for a database file)
 * so that it is back after a reload: its baseline and its state (src/web/worker/protocol.ts `KeptDatabase`). Stored
 * when each command ends; forgotten by "Start empty" (the current one) and "Clear workspace" (all). Every failure is quiet: the page works without it.
 *
 * A share link's database is kept apart (with the link's hash, as persist.ts keeps its edited files), so that working
 * on a link never replaces the person's own database, and a reload of the link shows the state it had.
 */
import type { GivenBaseline, KeptDatabase } from './worker/protocol.ts';

const DB_NAME = 'moonwalk-playground';
const STORE = 'database';
const KEY = 'current';
const LINK_KEY = 'link';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
  });
}

async function withStore(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest): Promise<unknown> {
  const db = await openDb();
  try {
    return await new Promise<unknown>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB refused'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB refused'));
    });
  } finally {
    db.close();
  }
}

/**
 * Keeps `kept` (null: forgets it), the person's own database or, with `link`, the database of the share link with that
 * hash; false when the browser refused (storage full or disabled).
 */
export async function keepDatabase(kept: KeptDatabase | null, link?: string): Promise<boolean> {
  if (typeof indexedDB === 'undefined') return false;
  const key = link === undefined ? KEY : LINK_KEY;
  try {
    await withStore('readwrite', (store) =>
      kept === null ? store.delete(key) : store.put(link === undefined ? kept : { ...kept, link }, key),
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * Forgets every database kept, the person's own and the share link's ("Clear workspace"); false when the browser
 * refused.
 */
export async function forgetKeptDatabases(): Promise<boolean> {
  if (typeof indexedDB === 'undefined') return true;
  try {
    await withStore('readwrite', (store) => store.clear());
    return true;
  } catch {
    return false;
  }
}

/**
 * The database kept by an earlier visit (with `link`: that share link's), or null. What is read back is checked: it
 * may come from another version.
 */
export async function keptDatabase(link?: string): Promise<KeptDatabase | null> {
  if (typeof indexedDB === 'undefined') return null;
  try {
    const value = (await withStore('readonly', (store) => store.get(link === undefined ? KEY : LINK_KEY))) as
      (Partial<KeptDatabase> & { link?: unknown }) | undefined;
    if (!value || (value.engine !== 'sqlite' && value.engine !== 'postgres') || !Array.isArray(value.applied))
      return null;
    if (value.sqlite !== null && !(value.sqlite instanceof Uint8Array)) return null;
    if (value.baseline !== null && !isBaseline(value.baseline)) return null;
    if (value.link !== link) return null;
    const { link: _link, ...kept } = value;
    return kept as KeptDatabase;
  } catch {
    return null;
  }
}

/** A starting database as the page keeps it: a SQLite file's bytes or its Blob (a File), or a dump's text. */
function isBaseline(value: unknown): value is GivenBaseline {
  const b = value as Partial<Record<'kind' | 'name' | 'bytes' | 'file' | 'text', unknown>> | undefined;
  if (typeof b !== 'object' || b === null || typeof b.name !== 'string') return false;
  if (b.kind === 'sqlite-file') return b.bytes instanceof Uint8Array;
  if (b.kind === 'sqlite-blob') return b.file instanceof Blob;
  return b.kind === 'dump' && typeof b.text === 'string';
}
