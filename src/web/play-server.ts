/**
 * The page served by `moonwalk play` (src/cli/play/): the token in the address (`?token=…`), the folder's files and
 * the starting database it offers, and Save. The page shows the Save button only when it was opened this way.
 */
import {
  TOKEN_HEADER,
  type FolderFile,
  type PlaySession,
  type SaveAnswer,
  type SaveRequest,
} from '../core/play-protocol.ts';
import type { Baseline, SqliteFileToRead } from './worker/protocol.ts';

export type { FolderFile, PlaySession, SaveAnswer, SaveRequest };

/** What the store needs from the server (a test gives its own). */
export interface PlayServer {
  session: PlaySession;
  /** The starting database the command was given with --from (a SQLite file as a Blob: the worker reads it). */
  baseline(): Promise<SqliteFileToRead | Extract<Baseline, { kind: 'dump' }> | null>;
  save(files: SaveRequest[]): Promise<SaveAnswer>;
}

/** The token of the address, when the page was opened by `moonwalk play`. */
export function playToken(search: string): string | null {
  const token = new URLSearchParams(search).get('token');
  return token !== null && /^[A-Za-z0-9_-]{16,}$/.test(token) ? token : null;
}

/** The server the page came from, or null when it did not answer as `moonwalk play` does. */
export async function connectPlayServer(token: string): Promise<PlayServer | null> {
  const headers = { [TOKEN_HEADER]: token };
  const call = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, location.href), { ...init, headers: { ...headers, ...init.headers }, cache: 'no-store' });
  let session: PlaySession;
  try {
    const response = await call('api/session');
    if (!response.ok) return null;
    session = (await response.json()) as PlaySession;
  } catch {
    return null;
  }
  return {
    session,
    async baseline() {
      const offered = session.baseline;
      if (offered === null) return null;
      const response = await call('api/baseline');
      if (!response.ok) throw new Error(`the starting database could not be fetched (HTTP ${response.status})`);
      return offered.kind === 'sqlite-file'
        ? { kind: 'sqlite-blob', name: offered.name, file: await response.blob() }
        : { kind: 'dump', name: offered.name, engine: offered.engine, text: await response.text() };
    },
    async save(files) {
      try {
        const response = await call('api/save', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ files }),
        });
        return (await response.json()) as SaveAnswer;
      } catch {
        return {
          ok: false,
          kind: 'refused',
          message: 'moonwalk play does not answer (stopped?): start it again, then press Save',
        };
      }
    },
  };
}
