/**
 * The tools of `moonwalk mcp` as DESIGN §9 names them: each one's description, the JSON schema of its input and of
 * its structured output (zod shapes the SDK turns into JSON Schema). Defined once; the server registers these, the
 * sandbox runs them, docs/agents.md describes them.
 */
import { z } from 'zod';

export const TOOL_NAMES = ['lint', 'verify', 'apply', 'dry_run', 'compare_engines', 'status', 'schema'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

const migrations = z
  .array(
    z.object({
      id: z
        .string()
        .describe('The migration id: its file name without .lua, e.g. "0001_create_users". Ids run in byte order.'),
      text: z.string().describe('The Lua file: return require("migration").define(function() migration(...) end)'),
    }),
  )
  .optional()
  .describe(
    "The migrations to work on, run on a throwaway database. Leave out to use the files of the server's --dir " +
      '(on its --db database when it was started with one).',
  );

const engine = z
  .enum(['sqlite', 'postgres'])
  .optional()
  .describe('The throwaway engine: sqlite (default, sql.js) or postgres (PGlite). Both in memory, empty at each call.');

/** Every input any tool takes; each tool's own shape picks from these. */
export interface ToolInput {
  migrations?: { id: string; text: string }[];
  engine?: 'sqlite' | 'postgres';
  to?: string;
}

/** The error of a failed document: the runner's parts as separate fields, and what to change where Moonwalk knows. */
const error = z
  .looseObject({
    code: z.string().optional().describe('What kind of failure: lua_error, unhandled_statement, instruction_limit, …'),
    migration: z.string().nullable(),
    phase: z.string(),
    message: z.string(),
    file: z.string().optional(),
    line: z.number().optional(),
    sql: z.string().optional(),
    engine_message: z.string().optional().describe("The database engine's own message"),
    hint: z.string().optional().describe('What to change'),
  })
  .nullable();

const finding = z.looseObject({
  code: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  file: z.string(),
  line: z.number(),
  message: z.string(),
});

const result = z.looseObject({
  id: z.string(),
  direction: z.enum(['up', 'down']),
  status: z.enum(['applied', 'reverted', 'skipped', 'failed', 'rolled_back']),
  reason: z.string().optional(),
  duration_ms: z.number(),
});

const change = z.looseObject({ kind: z.string(), path: z.array(z.string()) });
const snapshot = z.looseObject({ engine: z.string(), tables: z.array(z.looseObject({ name: z.string() })) });
const throwaway = z.boolean().optional().describe('true when it ran on a throwaway database');

/** A document of one engine with an entry per migration (verify, status): `ok`, `engine`, `migrations`. */
function perMigration<Entry extends z.ZodRawShape>(entry: Entry) {
  return { ok: z.boolean(), engine: z.string().optional(), migrations: z.array(z.looseObject(entry)).optional() };
}

const runShape = { ok: z.boolean(), results: z.array(result).optional(), error, throwaway };

interface ToolSpec {
  title: string;
  description: string;
  input: z.ZodRawShape;
  output: z.ZodRawShape;
  /** Whether it may change the server's --db database (then only with --allow-write). */
  writes: boolean;
}

export const TOOLS: Record<ToolName, ToolSpec> = {
  lint: {
    title: 'Lint migrations',
    description:
      "Static checks of migration files against the guide's practices (no database): each finding has a code, a " +
      'severity, the file, the Lua line and a message ending in "Fix: …". ok is false when a finding is an error. ' +
      'The `moonwalk lint --json` document.',
    input: { migrations },
    output: { ok: z.boolean(), findings: z.array(finding).optional(), error: error.optional() },
    writes: false,
  },
  verify: {
    title: 'Verify migrations are reversible',
    description:
      'For each pending migration: up, down, compare, up again, on a throwaway database of `engine` (or the ' +
      "server's --db, which needs --allow-write as the migrations stay applied). Each migration says whether it is " +
      'reversible, the differences down left (schema and data), and for a failure the file, Lua line, phase, SQL, ' +
      "the engine's message and a hint. The `moonwalk verify --json` document.",
    input: { migrations, engine },
    output: {
      ...perMigration({
        id: z.string(),
        reversible: z.boolean(),
        differences: z.array(change),
        up_again: z.boolean().optional(),
        error: z.string().optional(),
        failure: error.optional(),
        hint: z.string().optional(),
      }),
      error,
      throwaway,
    },
    writes: true,
  },
  apply: {
    title: 'Apply migrations (up)',
    description:
      'Runs up, all pending migrations or up to and including `to`, on a throwaway database of `engine` (or the ' +
      "server's --db, only with --allow-write). Answers each migration's result, the schema afterwards (snapshot) " +
      'and the diff from before the call to after it. The `moonwalk up --json` document plus schema and diff.',
    input: { migrations, engine, to: z.string().optional().describe('Apply up to and including this migration id') },
    output: { ...runShape, schema: snapshot.optional(), diff: z.array(change).optional() },
    writes: true,
  },
  dry_run: {
    title: 'Dry run: the SQL up would run',
    description:
      'Runs up in one transaction, records every statement with its parameters, and rolls back: nothing changes ' +
      "(allowed on the server's --db without --allow-write). The `moonwalk up --dry-run --json` document.",
    input: { migrations, engine },
    output: {
      ...runShape,
      statements: z
        .array(z.looseObject({ migration: z.string(), sql: z.string(), params: z.array(z.unknown()) }))
        .optional(),
    },
    writes: false,
  },
  compare_engines: {
    title: 'Compare SQLite and PostgreSQL',
    description:
      'Applies every migration on a throwaway SQLite and a throwaway PostgreSQL database and lists where the two ' +
      'schemas differ in meaning (a table, column or index on one side only, another type family, nullability, ' +
      "key, default, row count), each with an explanation. runs holds each engine's up document.",
    input: { migrations },
    output: {
      ok: z.boolean(),
      engines: z.array(z.string()).optional(),
      findings: z
        .array(
          z.looseObject({
            kind: z.string(),
            path: z.array(z.string()),
            values: z.array(z.string().nullable()),
            explanation: z.string(),
          }),
        )
        .optional(),
      runs: z.record(z.string(), z.unknown()).optional(),
      error: error.optional(),
    },
    writes: false,
  },
  status: {
    title: "Status of the server's database",
    description:
      "Applied, pending, modified and missing migrations of the server's --db database against its --dir files. " +
      'The `moonwalk status --json` document. Needs the server started with --db.',
    input: {},
    output: {
      ...perMigration({
        id: z.string(),
        description: z.string(),
        status: z.enum(['applied', 'pending', 'modified', 'missing']),
        applied_at: z.string().optional(),
      }),
      error: error.optional(),
    },
    writes: false,
  },
  schema: {
    title: "Schema of the server's database",
    description:
      "The schema snapshot of the server's --db database: tables (columns, indexes, foreign keys, checks, row " +
      'counts), views, triggers, and on PostgreSQL sequences and enums. The `moonwalk schema --json` document. ' +
      'Needs the server started with --db.',
    input: {},
    output: {
      engine: z.string().optional(),
      tables: z.array(z.looseObject({ name: z.string() })).optional(),
      ok: z.boolean().optional(),
      error: error.optional(),
    },
    writes: false,
  },
};
