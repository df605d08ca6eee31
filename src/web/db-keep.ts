/**
 * The database the person had, kept in the browser (IndexedDB: local storage is far too small for a database file)
 * so that it is back after a reload: its baseline and its state (src/web/worker/protocol.ts `KeptDatabase`). Stored
 * when each command ends; forgotten by "Start empty". Every failure is quiet: the page works without it.
 */
import type { KeptDatabase } from './worker/protocol.ts';

const DB_NAME = 'moonwalk-playground';
const STORE = 'database';
const KEY = 'current';

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

/** Keeps `kept` (null: forgets it); false when the browser refused (storage full or disabled). */
export async function keepDatabase(kept: KeptDatabase | null): Promise<boolean> {
  if (typeof indexedDB === 'undefined') return false;
  try {
    await withStore('readwrite', (store) => (kept === null ? store.delete(KEY) : store.put(kept, KEY)));
    return true;
  } catch {
    return false;
  }
}

/** The database kept by an earlier visit, or null. What is read back is checked: it may come from another version. */
export async function keptDatabase(): Promise<KeptDatabase | null> {
  if (typeof indexedDB === 'undefined') return null;
  try {
    const value = (await withStore('readonly', (store) => store.get(KEY))) as Partial<KeptDatabase> | undefined;
    if (!value || (value.engine !== 'sqlite' && value.engine !== 'postgres') || !Array.isArray(value.applied))
      return null;
    if (value.sqlite !== null && !(value.sqlite instanceof Uint8Array)) return null;
    return value as KeptDatabase;
  } catch {
    return null;
  }
}
