/**
 * The HTTP contract between `moonwalk play` (src/cli/play/) and the page it serves (src/web/play-server.ts), defined
 * once here: both sides are plain data over JSON, so the types need neither Node nor the DOM.
 */

/** The header carrying the token on each of the page's API calls (its own files carry it in a cookie). */
export const TOKEN_HEADER = 'x-moonwalk-token';

/** A migration file of the folder as the server read it. */
export interface FolderFile {
  name: string;
  text: string;
  /** The hash of the file's bytes as read. */
  version: string;
}

/** GET api/session: the folder as the command was given it (`migrations`, `db/migrations`), its files, the baseline. */
export interface PlaySession {
  folder: string;
  files: FolderFile[];
  baseline: PlaySessionBaseline | null;
}

/** What the starting database is (GET api/baseline gives the database itself). */
export interface PlaySessionBaseline {
  kind: 'sqlite-file' | 'dump';
  name: string;
  engine: 'sqlite' | 'postgres';
  notes: string[];
}

/** One file the page asks to save: its text, and the version the page's copy started from (null: a new file). */
export interface SaveRequest {
  name: string;
  text: string;
  base: string | null;
}

/** A file changed on disk since the page read it: what the disk holds now (null: it was deleted). */
export interface Conflict {
  name: string;
  message: string;
  onDisk: FolderFile | null;
}

/** POST api/save's answer: all files written, or none (a conflict, or a request refused). */
export type SaveAnswer =
  | { ok: true; saved: FolderFile[] }
  | { ok: false; kind: 'conflict'; conflicts: Conflict[] }
  | { ok: false; kind: 'refused'; message: string };
