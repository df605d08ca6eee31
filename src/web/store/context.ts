/**
 * What every action gets: the state, the one way to change it, and the engine client. The actions of store/*.ts are
 * functions `(ctx, …args)`; store/playground.ts binds them to one playground's context.
 */
import type { PlayServer } from '../play-server.ts';
import type { SharedState } from '../share.ts';
import type { EngineRequests } from '../worker/client.ts';
import type { KeptDatabase } from '../worker/protocol.ts';
import type { PlaygroundState } from './state.ts';

export type Change = Partial<PlaygroundState>;

/** The browser around the page, as far as the actions need it (the address bar and the clipboard). */
export interface Surroundings {
  /** The address's hash: '' or '#…'. */
  hash(): string;
  /** Puts `hash` in the address bar (null removes it) without a new history entry. */
  replaceHash(hash: string | null): void;
  /** The whole address. */
  href(): string;
  /** Copies `text` to the clipboard; false when the browser refuses. */
  copy(text: string): Promise<boolean>;
  /** The files of share link `hash` as the person edited them, if this browser kept them. */
  editedLink(hash: string): SharedState | null;
  /** Forgets the edited files this browser kept of share links ("Clear workspace"). */
  forgetEditedLinks(): void;
  /** The `moonwalk play` server the page came from, when it did. */
  play?: PlayServer;
}

export interface Ctx {
  get(): PlaygroundState;
  /** One update: `change` gets the state as it is now and answers what changes. */
  update(change: (state: PlaygroundState) => Change): void;
  /** The engine client, created (and the worker started) on first use. */
  client(): EngineRequests;
  /** Calls `fn` after `ms`, instead of an earlier call still waiting under the same `key`. */
  debounce(key: string, ms: number, fn: () => void): void;
  readonly surroundings: Surroundings;
}

/**
 * Where the page keeps the database; the page gives IndexedDB, tests give their own. `link`: the hash of the share
 * link whose database it is, kept apart from the person's own (none: their own).
 */
export interface DatabaseKeeper {
  keep(kept: KeptDatabase | null, link?: string): Promise<boolean>;
  kept(link?: string): Promise<KeptDatabase | null>;
  /** Forgets every database kept, the person's own and the share link's; false when the browser refused. */
  forget(): Promise<boolean>;
}

/** Which of the kept databases is the current one's: the share link's (its hash) or the person's own (undefined). */
export function keptSlot(state: Pick<PlaygroundState, 'workspace' | 'sharedHash'>): string | undefined {
  return state.workspace === 'link' ? state.sharedHash : undefined;
}
