/**
 * Suite `mcp`: the round trip of `verify` on one migration through `moonwalk mcp` (a child process driven by the SDK's
 * own Client over stdio, as an agent's client does), on SQLite (sql.js) and on PostgreSQL (PGlite, kept warm between
 * calls), against the peer an agent has without it: shelling out to `moonwalk verify --json` for each check (a new
 * process, and a new PGlite, every time). The first PostgreSQL call, which starts PGlite, is shown on its own.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { formatMs, formatRatio, repoRoot, Samples, spreadOf, tempDir, time, type SuiteReport } from './util.ts';

export interface McpBenchOptions {
  progress?: (line: string) => void;
  /** Round trips per engine through the server (after one warm-up call each). */
  calls?: number;
  /** Runs of the command as a process, per engine. */
  processRuns?: number;
}

const MIGRATION = `return require("migration").define(function()
    migration("Create users table", function()
        for _, engine in ipairs({"sqlite", "postgres"}) do
            database(engine, function()
                up(function(db)
                    local _, err = db:execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
                    if err then error(err) end
                    db:execute("CREATE INDEX users_name ON users (name)")
                end)
                down(function(db)
                    db:execute("DROP INDEX IF EXISTS users_name")
                    db:execute("DROP TABLE users")
                end)
            end)
        end
    end)
end)
`;

export async function benchMcp(options: McpBenchOptions = {}): Promise<SuiteReport> {
  const progress = options.progress ?? (() => {});
  const calls = options.calls ?? 20;
  const processRuns = options.processRuns ?? 5;
  const bin = join(repoRoot(), 'bin', 'moonwalk.js');
  const dir = tempDir('mcp');
  writeFileSync(join(dir.path, '0001_create_users.lua'), MIGRATION);
  const migrations = [{ id: '0001_create_users', text: MIGRATION }];

  const client = new Client({ name: 'moonwalk-bench', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp'], cwd: dir.path, stderr: 'ignore' }),
  );
  const verify = async (engine: 'sqlite' | 'postgres') => {
    const result = await client.callTool({ name: 'verify', arguments: { migrations, engine } }, undefined, {
      timeout: 120_000,
    });
    const doc = result.structuredContent as { ok?: boolean } | undefined;
    if (result.isError || doc?.ok !== true)
      throw new Error(`verify on ${engine} through mcp failed: ${JSON.stringify(doc)}`);
  };

  const through: Record<'sqlite' | 'postgres', Samples> = { sqlite: new Samples(), postgres: new Samples() };
  const shelled: Record<'sqlite' | 'postgres', Samples> = { sqlite: new Samples(), postgres: new Samples() };
  let coldPostgres = 0;
  try {
    progress('mcp: verify on sqlite through the server');
    await verify('sqlite');
    for (let i = 0; i < calls; i++) through.sqlite.add(await time(() => verify('sqlite')));
    progress('mcp: verify on postgres through the server (first call starts PGlite)');
    coldPostgres = await time(() => verify('postgres'));
    for (let i = 0; i < calls; i++) through.postgres.add(await time(() => verify('postgres')));
  } finally {
    await client.close();
  }
  for (const engine of ['sqlite', 'postgres'] as const) {
    progress(`mcp: moonwalk verify --engine ${engine} --json as a process`);
    for (let i = 0; i < processRuns; i++) {
      shelled[engine].add(
        await time(() => {
          const run = spawnSync(process.execPath, [bin, 'verify', '--engine', engine, '--json', '--dir', dir.path], {
            encoding: 'utf8',
          });
          if (run.status !== 0)
            throw new Error(`moonwalk verify --engine ${engine} failed: ${run.stdout}${run.stderr}`);
        }),
      );
    }
  }
  dir.remove();

  const ratio = (engine: 'sqlite' | 'postgres') => through[engine].median / shelled[engine].median;
  const rows = (['sqlite', 'postgres'] as const).flatMap((engine) => [
    {
      name: `verify, 1 migration, ${engine}: moonwalk mcp round trip${engine === 'postgres' ? ' (PGlite warm)' : ''}`,
      figure: formatMs(through[engine].median),
      spread: spreadOf(through[engine]),
      ratio: formatRatio(ratio(engine)),
      target: '< 1× the process',
      met: ratio(engine) < 1,
    },
    {
      name: `verify, 1 migration, ${engine}: moonwalk verify --json as a process (peer)`,
      figure: formatMs(shelled[engine].median),
      spread: spreadOf(shelled[engine]),
      ratio: '1×',
      target: '',
      met: null,
    },
  ]);
  rows.push({
    name: 'verify, 1 migration, postgres: the first mcp call (starts PGlite)',
    figure: formatMs(coldPostgres),
    spread: 'n=1',
    ratio: '',
    target: '',
    met: null,
  });
  return {
    title: 'moonwalk mcp: verify round trip (bench/mcp.ts)',
    rows,
    targets: (['sqlite', 'postgres'] as const).map((engine) => ({
      suite: 'mcp',
      description: `verify on ${engine} through moonwalk mcp faster than moonwalk verify as a process`,
      met: ratio(engine) < 1,
      detail: `${formatMs(through[engine].median)} vs ${formatMs(shelled[engine].median)} (${formatRatio(ratio(engine))})`,
    })),
    notes: [
      `${calls} calls per engine through one server after a warm-up call; ${processRuns} runs of the command per engine.`,
    ],
  };
}
