/**
 * What every driver does the same way: transaction control is three statements run through the driver's own `exec`.
 * A driver names its statements (MySQL turns autocommit off, better-sqlite3 takes the write lock at BEGIN) and
 * overrides a method only where the engine needs more (PGlite's COMMIT of an aborted transaction).
 *
 * `Done` is what `exec` answers: `void` for the synchronous SQLite drivers, `Promise<void>` for the others.
 */
import type { Driver } from '../core/driver.ts';

export interface TransactionStatements {
  begin: string;
  commit: string;
  rollback: string;
}

export const STANDARD_TRANSACTION: TransactionStatements = { begin: 'BEGIN', commit: 'COMMIT', rollback: 'ROLLBACK' };

export abstract class DriverBase<Done extends void | Promise<void>> implements Pick<
  Driver,
  'begin' | 'commit' | 'rollback' | 'exec'
> {
  protected readonly transactionStatements: TransactionStatements = STANDARD_TRANSACTION;

  abstract exec(sql: string): Done;

  begin(): Done {
    return this.exec(this.transactionStatements.begin);
  }

  commit(): Done {
    return this.exec(this.transactionStatements.commit);
  }

  rollback(): Done {
    return this.exec(this.transactionStatements.rollback);
  }
}
