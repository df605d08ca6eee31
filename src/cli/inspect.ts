/**
 * The commands that look at migrations rather than only run them (DESIGN §5, §6): `verify`, `schema` and `diff`
 * (`lint`, which reads only the files, is lint-command.ts). Each prints its human text or one JSON document and
 * answers the exit code.
 *
 * - `schema` reads the database: no lock (like `status`).
 * - `diff` runs the pending migrations in one transaction through the Migrator (which locks), snapshots inside it and
 *   rolls back. Refused where DDL is not transactional (MySQL): nothing could be rolled back.
 * - `verify` goes through the Migrator (up, down, up again for each pending migration), on the `--db` database or on a
 *   throwaway in-memory one of `--engine`.
 */
import { ENGINE_NAMES, type Driver } from '../core/driver.ts';
import type { Migrator } from '../core/migrator.ts';
import { describeRunError, type RunError } from '../core/results.ts';
import { plural } from '../core/plural.ts';
import { takeSnapshot } from '../core/schema/snapshot.ts';
import { renderDiff } from '../core/schema/render-diff.ts';
import { renderSnapshot } from '../core/schema/render-snapshot.ts';
import type { SchemaSnapshot } from '../core/schema/types.ts';
import type { Replay, VerifyEntry } from '../core/verify.ts';
import { diffDocument, verifyDocument } from '../lib/documents.ts';
import { commandDescriber, forCommand, verifyEntryForCommand } from './remedies.ts';
import type { GithubAnnotations } from './github-annotations.ts';
import { jsonValue } from './render.ts';

export interface InspectIo {
  out(text: string): void;
  err(text: string): void;
}

const OK = 0;
const FAILED = 1;
const USAGE = 2;

/** Load and check problems (a Lua syntax error, a modified file, …) are 2, like `up`; anything else failed is 1. */
function exitFor(error: RunError): number {
  return error.phase === 'load' || error.phase === 'check' ? USAGE : FAILED;
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

// -----------------------------------------------------------------------------------------------------------------
// schema

export async function runSchema(driver: Driver, io: InspectIo, json: boolean): Promise<number> {
  let snapshot: SchemaSnapshot;
  try {
    snapshot = await takeSnapshot(driver, { rows: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (json) io.out(JSON.stringify({ ok: false, error: { migration: null, phase: 'internal', message } }));
    io.err(`Error: cannot read the schema of ${driver.target}: ${message}`);
    return FAILED;
  }
  if (json) io.out(JSON.stringify(snapshot, jsonValue));
  else io.out(`${driver.target} (${driver.engine})\n${renderSnapshot(snapshot)}`);
  return OK;
}

// -----------------------------------------------------------------------------------------------------------------
// diff

export async function runDiff(migrator: Migrator, driver: Driver, io: InspectIo, json: boolean): Promise<number> {
  const {
    ok,
    changes,
    migrations: ids,
    error,
  } = await diffDocument(migrator, driver, (e) => forCommand(e, driver.engine));
  if (json) io.out(JSON.stringify({ ok, changes, migrations: ids, error }, jsonValue));
  else if (error) io.err(`Error: ${describeRunError(error)}`);
  else if (ids.length === 0) io.out('Nothing pending: the database is up to date, no changes.');
  else io.out(`${plural(ids.length, 'pending migration')} (${ids.join(', ')}) would change:\n${renderDiff(changes)}`);
  return error ? exitFor(error) : OK;
}

// -----------------------------------------------------------------------------------------------------------------
// verify

/** The throwaway database of `verify` without `--db` (one way for the command and the library). */
export { openThrowaway } from '../lib/node.ts';

export async function runVerify(
  migrator: Migrator,
  driver: Driver,
  io: InspectIo,
  json: boolean,
  throwaway: boolean,
  github: GithubAnnotations | null = null,
  replay?: Replay,
): Promise<number> {
  if (!json) {
    io.out(
      throwaway
        ? `Verifying on a throwaway in-memory ${ENGINE_NAMES[driver.engine]} database, replaying every migration from empty.`
        : `Verifying the pending migrations on ${driver.target} (${driver.engine}); they stay applied.`,
    );
  }
  const found = await verifyDocument(
    migrator,
    driver,
    json ? undefined : (entry) => io.out(renderEntry(verifyEntryForCommand(entry, driver.engine))),
    commandDescriber(driver.engine),
    replay,
  );
  const result = {
    ...found,
    migrations: found.migrations.map((entry) => verifyEntryForCommand(entry, driver.engine)),
    error: found.error && forCommand(found.error, driver.engine),
  };
  if (github) {
    if (result.error) github.runError(result.error);
    for (const entry of result.migrations) {
      if (!entry.skipped && (!entry.reversible || entry.error !== undefined))
        github.migrationError(entry.id, problemText(entry), entry.failure?.line);
    }
  }
  if (json) {
    io.out(JSON.stringify(result, jsonValue));
  } else {
    if (result.error) io.err(`Error: ${describeRunError(result.error)}`);
    const verified = result.migrations.filter((m) => !m.skipped);
    const reversible = verified.filter((m) => m.reversible).length;
    if (result.migrations.length === 0 && !result.error) io.out('Nothing pending to verify.');
    else if (verified.length > 0) {
      io.out(
        `${plural(verified.length, 'migration')} verified: ${reversible} reversible` +
          (reversible < verified.length ? `, ${verified.length - reversible} not` : '') +
          '.',
      );
    }
  }
  if (result.error) return exitFor(result.error);
  const loadFailure = result.migrations.some((m) => m.failure && exitFor(m.failure) === USAGE);
  if (loadFailure) return USAGE;
  return result.ok ? OK : FAILED;
}

function renderEntry(entry: VerifyEntry): string {
  if (entry.skipped) return `~ ${entry.id}  skipped: ${entry.reason ?? ''}`;
  if (entry.reversible && entry.error === undefined) return `+ ${entry.id}  reversible (up, down, up again)`;
  return `! ${problemText(entry)}`;
}

/** What is wrong with a migration verify did not pass, and the differences its down left. */
function problemText(entry: VerifyEntry): string {
  const lines = [`${entry.id}  ${entry.reversible ? 'reversible, but' : 'NOT reversible'}: ${entry.error ?? ''}`];
  if (entry.differences.length > 0) lines.push(indent(renderDiff(entry.differences), '    '));
  return lines.join('\n');
}
