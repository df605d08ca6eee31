/**
 * `moonwalk mcp [--db URL] [--dir FOLDER] [--allow-write]`: a Model Context Protocol server on stdin/stdout
 * (DESIGN §9), built on the official SDK: McpServer registers the tools of ./contract.ts, two resources (the
 * migration guide and the DSL reference) and the prompt `write_a_migration`; StdioServerTransport speaks the
 * protocol. The work runs in a sandbox worker (./sandbox.ts). A tool's failure is a result with `isError: true`
 * and its document as structured content, never a JSON-RPC error. stdout carries the protocol only: the worker's
 * own output goes to stderr.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { DEFAULT_MAX_MEMORY_MB } from '../args.ts';
import { packageVersion } from '../version.ts';
import { TOOLS, TOOL_NAMES } from './contract.ts';
import { Sandbox } from './sandbox.ts';
import type { ServerConfig } from './tools.ts';

/**
 * The folder holding docs/ (the guide and the DSL reference): the checkout when this runs from src/, lib/ when it
 * runs from the built package (scripts/build-package.mjs copies the two files to lib/docs/).
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      readFileSync(join(dir, 'docs', 'dsl.md'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  return process.cwd();
}

export const RESOURCES = {
  guide: {
    name: 'migration-guide',
    uri: 'moonwalk://docs/migration-guide.md',
    title: 'Database Migration Guide for AI Systems',
    description: 'The guide to writing migrations in the Lua DSL: structure, db methods, practices, patterns, testing.',
    file: 'migration-guide.md',
  },
  reference: {
    name: 'dsl-reference',
    uri: 'moonwalk://docs/dsl-reference.md',
    title: 'The migration DSL, as Moonwalk runs it',
    description: 'The DSL reference: what each call does and answers, failures, parameters, the sandbox, limits.',
    file: 'dsl.md',
  },
} as const;

/** What the server tells a client about itself when it connects. */
const INSTRUCTIONS =
  'Moonwalk runs database migrations written in a Lua DSL. Write each migration as {"id", "text"} and pass them ' +
  'in "migrations": lint checks them, verify runs up, down and up again on a throwaway SQLite or PostgreSQL ' +
  'database and says whether down undoes up, apply shows the resulting schema and diff, dry_run the SQL, ' +
  'compare_engines where SQLite and PostgreSQL end up differing. Nothing real is touched unless the server was ' +
  'started with --db (and written only with --allow-write). Read the resource moonwalk://docs/migration-guide.md ' +
  'first, or use the prompt write_a_migration.';

/** The rules of the guide that a new migration is checked against, for the prompt. */
const RULES = [
  'One file per migration; its id is the file name without .lua (e.g. 0003_add_email_to_users), run in id order.',
  'The file returns require("migration").define(function() migration("What it does", function() … end) end).',
  'One database("sqlite" | "postgres" | "mysql", function() … end) block per engine, each with up and a down that undoes exactly what up did, in reverse order (indexes included).',
  'db:execute / db:query answer nil, err on failure: check every result (local r, err = db:execute(sql); if err then error(err) end).',
  'Pass values as parameters ({…} with ? placeholders), never concatenated into the SQL text.',
  'The runner owns the transaction: no BEGIN/COMMIT/ROLLBACK (savepoints are fine).',
  'One change per migration; CREATE … IF NOT EXISTS where it makes the migration safe to re-run.',
  'SQLite cannot ALTER a column or drop an indexed/key column in place: rebuild the table (create new, copy, drop old, rename, recreate indexes).',
];

export interface McpOptions {
  config: ServerConfig;
  maxMemoryMb: number;
}

/** Builds the server over a sandbox (not connected yet). */
export function createMcpServer(options: McpOptions, sandbox: Sandbox): McpServer {
  const root = packageRoot();
  const read = (file: string) => readFileSync(join(root, 'docs', file), 'utf8');
  const version = packageVersion();
  const { config } = options;
  const server = new McpServer({ name: 'moonwalk', version }, { instructions: INSTRUCTIONS });

  for (const name of TOOL_NAMES) {
    const spec = TOOLS[name];
    const writesHere = spec.writes && config.db !== undefined;
    server.registerTool(
      name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema: spec.input,
        outputSchema: spec.output,
        annotations: {
          readOnlyHint: !(writesHere && config.allowWrite),
          destructiveHint: writesHere && config.allowWrite,
          openWorldHint: false,
        },
      },
      async (args: Record<string, unknown>, extra) => {
        const answer = await sandbox.call(name, args, extra.signal);
        return {
          content: [{ type: 'text' as const, text: JSON.stringify(answer.document) }],
          structuredContent: answer.document,
          ...(answer.isError ? { isError: true } : {}),
        };
      },
    );
  }

  for (const resource of Object.values(RESOURCES)) {
    server.registerResource(
      resource.name,
      resource.uri,
      { title: resource.title, description: resource.description, mimeType: 'text/markdown' },
      (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: read(resource.file) }] }),
    );
  }

  server.registerPrompt(
    'write_a_migration',
    {
      title: 'Write a migration',
      description: "Write a migration for the Lua DSL following the guide's rules, then check it with the tools.",
      argsSchema: {
        task: z.string().describe('What the migration should do, e.g. "add an email column to users"'),
        engines: z.string().optional().describe('The engines to write blocks for (default: "sqlite, postgres")'),
      },
    },
    ({ task, engines }) => ({
      description: `Write a migration: ${task}`,
      messages: [
        {
          role: 'user' as const,
          content: {
            type: 'resource' as const,
            resource: { uri: RESOURCES.guide.uri, mimeType: 'text/markdown', text: read(RESOURCES.guide.file) },
          },
        },
        {
          role: 'user' as const,
          content: {
            type: 'text' as const,
            text:
              `Write one database migration for Moonwalk's Lua DSL that does this: ${task}\n` +
              `Write a database block for each of: ${engines ?? 'sqlite, postgres'}.\n\nFollow the guide above; ` +
              `in particular:\n${RULES.map((rule) => `- ${rule}`).join('\n')}\n\n` +
              'Then check it with the moonwalk tools, passing it as "migrations": [{"id", "text"}] (with the ' +
              'migrations it builds on, in order): lint, then verify on "sqlite" and on "postgres". Fix what they ' +
              'report (each failure names the file, Lua line, SQL and a hint) and verify again until every ' +
              'migration is reversible. Answer with the final file and its id.',
          },
        },
      ],
    }),
  );
  return server;
}

/** `moonwalk mcp`: serves on stdio until the client closes the connection; the exit code. */
export async function runMcp(options: Partial<McpOptions> & { config: ServerConfig }): Promise<number> {
  const maxMemoryMb = options.maxMemoryMb ?? DEFAULT_MAX_MEMORY_MB;
  const sandbox = new Sandbox(options.config, maxMemoryMb);
  const server = createMcpServer({ config: options.config, maxMemoryMb }, sandbox);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => {});
  await sandbox.close();
  return 0;
}
