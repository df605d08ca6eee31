/**
 * The throwaway databases the MCP tools run on: a new, empty sql.js database per call (opening one takes about a
 * millisecond once its wasm is compiled), and one PGlite kept warm between calls (a new PGlite takes 1–5 s) and
 * emptied after each: every schema the call made is dropped, `public` made again as initdb leaves it, roles and
 * database settings removed, the session discarded. Should anything be left that this cannot undo, the instance is
 * closed and the next call gets a new one, so no call sees what an earlier one did.
 */
import type { Driver, Engine } from '../../core/driver.ts';
import { openThrowaway } from '../inspect.ts';

/** Empties the PGlite database: what a fresh one has is kept, everything a migration can make is dropped. */
const RESET_POSTGRES = `
DO $reset$ DECLARE r record; BEGIN
  FOR r IN SELECT nspname FROM pg_namespace
           WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
             AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
  END LOOP;
  FOR r IN SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' AND rolname <> current_user LOOP
    EXECUTE format('DROP OWNED BY %I CASCADE', r.rolname);
    EXECUTE format('DROP ROLE %I', r.rolname);
  END LOOP;
  FOR r IN SELECT evtname FROM pg_event_trigger LOOP
    EXECUTE format('DROP EVENT TRIGGER %I', r.evtname);
  END LOOP;
  FOR r IN SELECT pubname FROM pg_publication LOOP
    EXECUTE format('DROP PUBLICATION %I', r.pubname);
  END LOOP;
  EXECUTE format('ALTER DATABASE %I RESET ALL', current_database());
END $reset$;
CREATE SCHEMA public AUTHORIZATION pg_database_owner;
GRANT USAGE ON SCHEMA public TO PUBLIC;
`;

/** What must be back to a fresh database's after the reset; any count above 0 means a new instance. */
const LEFT_OVER = `
SELECT (SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'public')
          AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%')
     + (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)
     + (SELECT count(*) FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' AND rolname <> current_user)
     + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql')
     + (SELECT count(*) FROM pg_database WHERE NOT datistemplate AND datname <> current_database())
     + (SELECT count(*) FROM pg_db_role_setting) AS left_over
`;

export class Throwaways {
  private postgres: Driver | null = null;
  /** Whether the warm PGlite was handed out and not yet emptied. */
  private dirty = false;

  /** An empty database of `engine`, for one call; give it back with `release`. */
  async open(engine: Engine): Promise<Driver> {
    if (engine !== 'postgres') return openThrowaway(engine);
    if (this.postgres && this.dirty) await this.reset();
    this.postgres ??= await openThrowaway('postgres');
    this.dirty = true;
    return this.postgres;
  }

  /** Ends the call's use of `driver`: sql.js is closed, the warm PGlite emptied for the next call. */
  async release(driver: Driver): Promise<void> {
    if (driver !== this.postgres) {
      await driver.close().catch(() => {});
      return;
    }
    await this.reset();
  }

  /** Whether PGlite is open and waiting (for the bench and the docs: "kept warm"). */
  get warm(): boolean {
    return this.postgres !== null;
  }

  private async reset(): Promise<void> {
    const pg = this.postgres;
    if (!pg) return;
    try {
      // A call that ended inside a transaction (a runaway migration is rolled back, but be sure) leaves none open.
      await Promise.resolve(pg.rollback()).catch(() => {});
      await pg.exec(RESET_POSTGRES);
      // On its own: DISCARD ALL cannot run inside the implicit transaction of a multi-statement string.
      await pg.exec('DISCARD ALL');
      const { rows } = await pg.query(LEFT_OVER, []);
      if (Number(rows[0]?.[0]) !== 0) throw new Error('left over');
      this.dirty = false;
    } catch {
      this.postgres = null;
      this.dirty = false;
      await pg.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.postgres?.close().catch(() => {});
    this.postgres = null;
  }
}
