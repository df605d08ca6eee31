/**
 * Counts the statements a command sends to the database, for the page's progress display, without a timer: the
 * worker runs sql.js synchronously, so a long migration never gives a timer (or a message handler) a chance to run.
 * Instead every statement passes through this wrapper, which bumps a counter and, when enough time has passed since
 * the last report, reports the count right there — `postMessage` works from inside a synchronous run, and the page
 * receives it at once because its own thread is free.
 *
 * The cost per statement is an increment and a clock read (tens of nanoseconds against the microseconds a sql.js
 * statement takes); the wrapper exists only around the driver of a running command, never in the command-line runner.
 */
import type { Driver, PreparedStatement } from '../../core/driver.ts';

/** At most this often (ms) a count is reported: ~10 a second is plenty for a person and cheap for the page. */
const REPORT_INTERVAL_MS = 100;

export class StatementCounter {
  statements = 0;
  private due: number;

  constructor(
    private readonly report: (statements: number) => void,
    private readonly intervalMs = REPORT_INTERVAL_MS,
  ) {
    // The first report waits a whole interval: a short command sends none.
    this.due = performance.now() + intervalMs;
  }

  private count(): void {
    this.statements++;
    const now = performance.now();
    if (now >= this.due) {
      this.due = now + this.intervalMs;
      this.report(this.statements);
    }
  }

  /**
   * `driver` as seen through the counter: the same engine, every statement counted. Arguments are passed on whole
   * (`execute`'s optional `withLastInsertId` spares sql.js a query per statement), so a member added to `Driver` or
   * `PreparedStatement` must be passed on here too.
   */
  wrap(driver: Driver): Driver {
    const counted = <T>(value: T): T => {
      this.count();
      return value;
    };
    const statement = (prepared: PreparedStatement): PreparedStatement => ({
      query: (...args: Parameters<PreparedStatement['query']>) => counted(prepared.query(...args)),
      execute: (...args: Parameters<PreparedStatement['execute']>) => counted(prepared.execute(...args)),
      close: () => prepared.close(),
    });
    return {
      engine: driver.engine,
      transactionalDdl: driver.transactionalDdl,
      target: driver.target,
      query: (...args: Parameters<Driver['query']>) => counted(driver.query(...args)),
      execute: (...args: Parameters<Driver['execute']>) => counted(driver.execute(...args)),
      exec: (sql) => counted(driver.exec(sql)),
      prepare: (sql) => {
        const prepared = driver.prepare(sql);
        return prepared instanceof Promise ? prepared.then(statement) : statement(prepared);
      },
      begin: () => driver.begin(),
      commit: () => driver.commit(),
      rollback: () => driver.rollback(),
      lock: (timeoutMs) => driver.lock(timeoutMs),
      close: () => driver.close(),
    };
  }
}
