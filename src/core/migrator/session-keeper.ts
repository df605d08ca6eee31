/**
 * One file cannot change what the next one sees: the connection's session (PRAGMAs, SET, USE, TEMP tables) as the
 * run found it, put back after each migration that may have changed it, and once more when the run ends.
 */
import type { Driver } from '../driver.ts';
import { captureSession, type SessionState } from '../session.ts';
import type { Transaction } from '../transaction.ts';
import { control } from './run-failure.ts';

export class SessionKeeper {
  /** The connection's session as the run found it, while the run holds its lock. */
  private session: SessionState | null = null;
  /** A migration ran since the session was last put back that may have changed it (see restore). */
  private changed = false;
  /** MySQL: TEMPORARY tables the migrations created since then (Transaction.temporaryTables). */
  private readonly temporaryTables = new Set<string>();

  constructor(private readonly driver: Driver) {}

  /** Takes the session as the run finds it, once it holds the lock. */
  async capture(): Promise<void> {
    this.session = await captureSession(this.driver);
  }

  /** The run is over: its session is not put back again. */
  forget(): void {
    this.session = null;
  }

  /** What a migration's statements may have done to the session, for restore. */
  note(tx: Transaction): void {
    this.changed ||= tx.mayChangeSession;
    for (const name of tx.temporaryTables) this.temporaryTables.add(name);
  }

  /**
   * Puts the session back as `capture` found it; `inner` is a batch's, captured inside its transaction. On SQLite only
   * after a statement that could change it (no dynamic SQL there: the text tells); on the servers always.
   */
  async restore(id: string | null, inner?: SessionState): Promise<void> {
    if (this.driver.engine === 'sqlite' && !this.changed) return;
    const made = this.temporaryTables;
    await control(id, 'internal', () => (inner ?? this.session)?.restore(inner !== undefined, made));
    if (!inner) {
      this.changed = false;
      made.clear();
    }
  }

  /** After a failure: the connection may serve another run (verify, the playground, a library caller). */
  async restoreQuietly(): Promise<void> {
    try {
      await this.restore(null);
    } catch {
      // The connection is gone, and its session with it.
    }
  }
}
