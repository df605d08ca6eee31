/**
 * `moonwalk mcp` (DESIGN §9) as an MCP client sees it: the command started as a child process (bin/moonwalk.js,
 * built first when dist/ is older than the sources) and driven over stdio by the SDK's own Client. Tools are called
 * on the guide's examples (test/fixtures/guide) and on broken migrations; each answer's structured content is
 * checked, and the same JSON is its text. Writes to a --db database are refused without --allow-write; a runaway
 * loop and a huge allocation end their call only, and the server answers the next one.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, ensureCliBuilt, ROOT } from '../helpers/cli-process.ts';
import { lua, writeMigrations } from '../helpers/lua-files.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-mcp-'));
const clients: Client[] = [];

beforeAll(ensureCliBuilt);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  rmSync(tmp, { recursive: true, force: true });
});

/** `moonwalk mcp …args` as a child process, connected. Small Lua limits so that a runaway loop ends quickly. */
async function connect(args: string[] = []): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '--max-instructions', '5000000', ...args],
    cwd: tmp,
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'moonwalk-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

interface Answer {
  isError: boolean;
  doc: any;
}

/** Calls a tool; checks that the text is the structured content's JSON. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Answer> {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 });
  const content = result.content as { type: string; text: string }[];
  expect(content[0]?.type).toBe('text');
  expect(JSON.parse(content[0].text)).toEqual(result.structuredContent);
  return { isError: result.isError === true, doc: result.structuredContent };
}

/** A folder of the guide's examples as the tools' `migrations`. */
function guide(folder = ''): { id: string; text: string }[] {
  const dir = join(ROOT, 'test', 'fixtures', 'guide', folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.lua'))
    .sort()
    .map((f) => ({ id: f.slice(0, -4), text: readFileSync(join(dir, f), 'utf8') }));
}

const one = (id: string, text: string) => [{ id, text }];

const USERS = 'db:execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")';

describe('moonwalk mcp over stdio, on throwaway databases', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect();
  });

  test('lists the seven tools of DESIGN §9, each with an input and an output schema, the two docs and the prompt', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      ['apply', 'compare_engines', 'dry_run', 'lint', 'schema', 'status', 'verify'].sort(),
    );
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
    }
    const verify = tools.find((t) => t.name === 'verify')!;
    expect(Object.keys(verify.inputSchema.properties ?? {}).sort()).toEqual(['engine', 'migrations']);

    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual([
      'moonwalk://docs/dsl-reference.md',
      'moonwalk://docs/migration-guide.md',
    ]);
    const guideText = await client.readResource({ uri: 'moonwalk://docs/migration-guide.md' });
    expect((guideText.contents[0] as { text: string }).text).toContain('# Database Migration Guide for AI Systems');

    const prompt = await client.getPrompt({ name: 'write_a_migration', arguments: { task: 'add a phone column' } });
    const texts = prompt.messages.map((m) =>
      m.content.type === 'text'
        ? m.content.text
        : m.content.type === 'resource' && 'text' in m.content.resource
          ? m.content.resource.text
          : '',
    );
    expect(texts.join('\n')).toContain('add a phone column');
    expect(texts.join('\n')).toContain('## Best Practices');
  });

  test("lint and verify on the guide's examples: no errors, every migration reversible on SQLite", async () => {
    const lint = await call(client, 'lint', { migrations: guide() });
    expect(lint.isError).toBe(false);
    expect(lint.doc.ok).toBe(true);
    expect(lint.doc.findings.filter((f: any) => f.severity === 'error')).toEqual([]);

    const verify = await call(client, 'verify', { migrations: guide() });
    expect(verify.isError).toBe(false);
    expect(verify.doc).toMatchObject({ ok: true, engine: 'sqlite', error: null, throwaway: true });
    expect(verify.doc.migrations.map((m: any) => m.id)).toEqual(guide().map((m) => m.id));
    expect(verify.doc.migrations.every((m: any) => m.reversible)).toBe(true);
  });

  test('verify on PostgreSQL twice: the warm PGlite starts each call empty', async () => {
    const migrations = guide().slice(1, 4);
    for (let i = 0; i < 2; i++) {
      const verify = await call(client, 'verify', { migrations, engine: 'postgres' });
      expect(verify.doc).toMatchObject({ ok: true, engine: 'postgres' });
      expect(verify.doc.migrations.map((m: any) => [m.id, m.reversible])).toEqual([
        ['0002_create_users', true],
        ['0003_add_email_to_users', true],
        ['0004_create_products', true],
      ]);
    }
    // What the last call created is gone: applying only the first migration shows only its table.
    const apply = await call(client, 'apply', { migrations: migrations.slice(0, 1), engine: 'postgres' });
    expect(apply.doc.schema.tables.map((t: any) => t.name)).toEqual(['users']);
    // Roles, schemas and session settings a call makes are gone too: the same migration applies again.
    const cluster = lua({
      engines: ['postgres'],
      up: [
        'CREATE ROLE app_reader',
        'CREATE SCHEMA reporting',
        'CREATE TABLE reporting.totals (n INTEGER)',
        'SET search_path TO reporting, public',
      ]
        .map((sql) => `assert(db:execute(${JSON.stringify(sql)}))`)
        .join('\n'),
    });
    for (let i = 0; i < 2; i++) {
      const again = await call(client, 'apply', { migrations: one('0001_cluster', cluster), engine: 'postgres' });
      expect(again.doc).toMatchObject({ ok: true, results: [{ id: '0001_cluster', status: 'applied' }] });
    }
  });

  test("the guide's table rebuild is not reversible on PostgreSQL: the differences and what to restore", async () => {
    const verify = await call(client, 'verify', { migrations: guide('table-rebuild'), engine: 'postgres' });
    expect(verify.isError).toBe(true);
    const rebuild = verify.doc.migrations[1];
    expect(rebuild).toMatchObject({ id: '0002_add_email_by_rebuilding_users', reversible: false });
    expect(rebuild.differences).toContainEqual(expect.objectContaining({ kind: 'primary_key_changed' }));
    expect(rebuild.hint).toMatch(/^down does not undo up/);
  });

  test('apply up to an id answers the results, the schema and the diff; dry_run the statements and parameters', async () => {
    const apply = await call(client, 'apply', { migrations: guide(), to: '0003_add_email_to_users' });
    expect(apply.isError).toBe(false);
    expect(apply.doc.results.map((r: any) => [r.id, r.status])).toEqual([
      ['0001_example_template', 'applied'],
      ['0002_create_users', 'applied'],
      ['0003_add_email_to_users', 'applied'],
    ]);
    const users = apply.doc.schema.tables.find((t: any) => t.name === 'users');
    expect(users.columns.map((c: any) => c.name)).toContain('email');
    expect(apply.doc.diff).toContainEqual(expect.objectContaining({ kind: 'table_added', path: ['users'] }));

    const dry = await call(client, 'dry_run', { migrations: guide() });
    expect(dry.doc.ok).toBe(true);
    expect(dry.doc.results.every((r: any) => r.status === 'rolled_back')).toBe(true);
    const seeded = dry.doc.statements.filter((s: any) => s.migration === '0010_insert_users_with_parameters');
    expect(seeded.some((s: any) => s.params.length > 0)).toBe(true);
  });

  test("compare_engines lists where SQLite and PostgreSQL differ on the guide's examples", async () => {
    const compared = await call(client, 'compare_engines', { migrations: guide() });
    expect(compared.isError).toBe(false);
    expect(compared.doc.engines).toEqual(['sqlite', 'postgres']);
    // The template's postgres block is empty: its table exists on SQLite only.
    expect(compared.doc.findings).toContainEqual(expect.objectContaining({ kind: 'table_only', path: ['example'] }));
    expect(compared.doc.runs.sqlite.ok).toBe(true);
    expect(compared.doc.runs.postgres.ok).toBe(true);
  });

  test('a syntax error: lint and verify name the file and line', async () => {
    const text = lua({ up: 'db:execute("CREATE TABLE t (id INTEGER)"', down: 'db:execute("DROP TABLE t")' });
    const lint = await call(client, 'lint', { migrations: one('0001_broken', text) });
    expect(lint.isError).toBe(true);
    expect(lint.doc.findings[0]).toMatchObject({ code: 'syntax-error', severity: 'error', file: '0001_broken.lua' });

    const verify = await call(client, 'verify', { migrations: one('0001_broken', text) });
    expect(verify.isError).toBe(true);
    const failure = verify.doc.migrations[0].failure;
    expect(failure).toMatchObject({ phase: 'load', file: '0001_broken.lua', line: expect.any(Number) });
    expect(failure.hint).toMatch(/syntax/i);
  });

  test('a missing down: not reversible, with a hint to add one', async () => {
    const verify = await call(client, 'verify', { migrations: one('0001_users', lua({ up: USERS })) });
    expect(verify.isError).toBe(true);
    const entry = verify.doc.migrations[0];
    expect(entry).toMatchObject({ id: '0001_users', reversible: false });
    expect(entry.hint).toMatch(/Add down\(function\(db\)/);
  });

  test('a down that forgets an index: the difference, and the DROP INDEX to add', async () => {
    const verify = await call(client, 'verify', {
      migrations: [
        { id: '0001_users', text: lua({ up: USERS, down: 'db:execute("DROP TABLE users")' }) },
        { id: '0002_index', text: lua({ up: 'db:execute("CREATE INDEX users_email ON users (email)")', down: '' }) },
      ],
    });
    expect(verify.isError).toBe(true);
    const entry = verify.doc.migrations[1];
    expect(entry).toMatchObject({ id: '0002_index', reversible: false });
    expect(entry.differences).toContainEqual(expect.objectContaining({ kind: 'index_added' }));
    expect(entry.hint).toContain('DROP INDEX IF EXISTS users_email');
  });

  test('a failed statement the code ignored: SQL, line, the engine message and a hint as fields', async () => {
    const text = lua({
      up: `${USERS}\n db:execute("INSERT INTO nowhere VALUES (1)")`,
      down: 'db:execute("DROP TABLE users")',
    });
    const apply = await call(client, 'apply', { migrations: one('0001_users', text) });
    expect(apply.isError).toBe(true);
    expect(apply.doc.error).toMatchObject({
      code: 'unhandled_statement',
      migration: '0001_users',
      phase: 'up',
      file: '0001_users.lua',
      sql: 'INSERT INTO nowhere VALUES (1)',
      engine_message: 'no such table: nowhere',
    });
    expect(apply.doc.error.line).toBeGreaterThan(1);
    expect(apply.doc.error.hint).toContain('if err then error(err) end');
  });

  test('SQL built by concatenation that breaks on a quote: the hint says to bind parameters', async () => {
    const text = lua({
      up: [
        'local name = "O\'Brien"',
        'assert(db:execute("CREATE TABLE users (name TEXT)"))',
        'local _, err = db:execute("INSERT INTO users (name) VALUES (\'" .. name .. "\')")',
        'if err then error(err) end',
      ].join('\n'),
      down: 'db:execute("DROP TABLE users")',
    });
    const apply = await call(client, 'apply', { migrations: one('0001_users', text) });
    expect(apply.isError).toBe(true);
    expect(apply.doc.error.sql).toBe("INSERT INTO users (name) VALUES ('O'Brien')");
    expect(apply.doc.error.engine_message).toMatch(/syntax error/);
    expect(apply.doc.error.hint).toMatch(/placeholder|parameter/i);
  });

  test('a SQLite DROP COLUMN of an indexed column: the rebuild pattern', async () => {
    const text = lua({
      engines: ['sqlite'],
      up: [
        USERS,
        'db:execute("CREATE INDEX users_email ON users (email)")',
        'local _, err = db:execute("ALTER TABLE users DROP COLUMN email")',
        'if err then error(err) end',
      ].join('\n'),
      down: 'db:execute("DROP TABLE users")',
    });
    const apply = await call(client, 'apply', { migrations: one('0001_users', text) });
    expect(apply.isError).toBe(true);
    expect(apply.doc.error.sql).toBe('ALTER TABLE users DROP COLUMN email');
    expect(apply.doc.error.hint).toContain('DROP INDEX IF EXISTS users_email');
    expect(apply.doc.error.hint).toMatch(/rebuild the table/);
  });

  test('a runaway loop ends its call with the limit error; the server answers the next call', async () => {
    const loop = await call(client, 'verify', { migrations: one('0001_loop', lua({ up: 'while true do end' })) });
    expect(loop.isError).toBe(true);
    expect(loop.doc.migrations[0].failure.message).toMatch(/5,000,000 Lua instructions/);
    expect(loop.doc.migrations[0].failure.code).toBe('instruction_limit');
    expect(loop.doc.migrations[0].failure.hint).toMatch(/loop/);

    const next = await call(client, 'lint', { migrations: guide('error-handling') });
    expect(next.isError).toBe(false);
  });

  test('status and schema need a --db; bad input is an isError result, never a protocol error', async () => {
    for (const tool of ['status', 'schema']) {
      const answer = await call(client, tool);
      expect(answer.isError).toBe(true);
      expect(answer.doc.error.message).toContain('--db URL');
    }
    const duplicate = await call(client, 'lint', {
      migrations: [
        { id: '0001_a', text: lua(USERS) },
        { id: '0001_a.lua', text: lua(USERS) },
      ],
    });
    expect(duplicate.isError).toBe(true);
    expect(duplicate.doc.error.message).toContain('two migrations have the id 0001_a');
    const wrongType = await client.callTool({ name: 'verify', arguments: { migrations: 'not a list' } });
    expect(wrongType.isError).toBe(true);
    // No migrations and no folder: says how to give them.
    const none = await call(client, 'verify');
    expect(none.isError).toBe(true);
    expect(none.doc.error.hint).toContain('--dir FOLDER');
  });
});

describe("moonwalk mcp --db: the server's own database", () => {
  const folder = writeMigrations(join(tmp, 'db-migrations'), {
    '0001_users': { up: USERS, down: 'db:execute("DROP TABLE users")' },
  });

  test('without --allow-write: status and schema read it, apply and verify are refused and write nothing', async () => {
    const file = join(tmp, 'read-only.db');
    const client = await connect(['--db', `sqlite:${file}`, '--dir', folder]);
    const status = await call(client, 'status');
    expect(status.doc).toMatchObject({
      ok: true,
      engine: 'sqlite',
      migrations: [{ id: '0001_users', status: 'pending' }],
    });
    for (const tool of ['apply', 'verify']) {
      const refused = await call(client, tool);
      expect(refused.isError).toBe(true);
      expect(refused.doc.error.message).toContain('--allow-write');
    }
    const schema = await call(client, 'schema');
    expect(schema.doc.tables).toEqual([]);
    // A dry run rolls back: allowed, and leaves nothing either.
    const dry = await call(client, 'dry_run');
    expect(dry.doc).toMatchObject({ ok: true, throwaway: false });
    // The file was not there: status, schema and the dry run answered for an empty database and made nothing.
    expect(readdirSync(tmp).filter((name) => name.startsWith('read-only.db'))).toEqual([]);
    // Given migrations, the same tools run on a throwaway database instead.
    const inline = await call(client, 'apply', { migrations: one('0001_users', lua(USERS)) });
    expect(inline.doc).toMatchObject({ ok: true, throwaway: true });
  });

  test("with --allow-write: apply runs the guide's folder on it up to an id, status and schema show it", async () => {
    const file = join(tmp, 'writable.db');
    const guideDir = join(ROOT, 'test', 'fixtures', 'guide');
    const client = await connect(['--db', `sqlite:${file}`, '--dir', guideDir, '--allow-write']);
    const apply = await call(client, 'apply', { to: '0004_create_products' });
    expect(apply.doc).toMatchObject({ ok: true, throwaway: false });
    expect(apply.doc.results.map((r: any) => r.id)).toEqual(
      guide()
        .slice(0, 4)
        .map((m) => m.id),
    );
    expect(apply.doc.diff).toContainEqual(expect.objectContaining({ kind: 'table_added', path: ['products'] }));
    const status = await call(client, 'status');
    expect(status.doc.migrations.map((m: any) => m.status)).toEqual([
      ...Array(4).fill('applied'),
      ...Array(guide().length - 4).fill('pending'),
    ]);
    const schema = await call(client, 'schema');
    expect(schema.doc.tables.map((t: any) => t.name)).toEqual(['example', 'products', 'users']);
    // verify on the server's database: the pending ones, left applied.
    const verify = await call(client, 'verify');
    expect(verify.doc).toMatchObject({ ok: true, throwaway: false });
    expect(verify.doc.migrations.map((m: any) => m.id)).toEqual(
      guide()
        .slice(4)
        .map((m) => m.id),
    );
    const after = await call(client, 'status');
    expect(after.doc.migrations.every((m: any) => m.status === 'applied')).toBe(true);
  });
});

describe('moonwalk mcp --max-memory-mb', () => {
  test('a huge allocation ends its call with the memory error; the server answers the next call', async () => {
    // Lua time is wall time: on a busy machine the time limit must not end the call first.
    const client = await connect(['--max-memory-mb', '256', '--max-lua-seconds', '600']);
    const bomb = lua({ up: 'local t = {} for i = 1, 1e9 do t[i] = string.rep("x", 5e7) .. i end' });
    const stopped = await call(client, 'apply', { migrations: one('0001_bomb', bomb) });
    expect(stopped.isError).toBe(true);
    expect(stopped.doc.error).toMatchObject({ migration: '0001_bomb', phase: 'internal' });
    expect(stopped.doc.error.message).toMatch(/used more than 256 MB of memory and was stopped/);
    expect(stopped.doc.error.hint).toContain('--max-memory-mb');

    const next = await call(client, 'verify', {
      migrations: one('0001_users', lua({ up: USERS, down: 'db:execute("DROP TABLE users")' })),
    });
    expect(next.doc).toMatchObject({ ok: true, migrations: [{ id: '0001_users', reversible: true }] });
  });
});
