/**
 * `moonwalk play [--dir FOLDER] [--from URL] [--port N]` (DESIGN §5): the playground on 127.0.0.1 over a migrations
 * folder. Prints the address (with its token) as the first line of stdout, then serves until Ctrl-C. The page shows
 * the folder's migrations, starts from a copy of `--from` when given, and writes edits back only when Save is
 * pressed (src/web/store/play.ts).
 */
import { parseArgs, UsageError, USAGE } from '../args.ts';
import { withEnvFile } from '../env-file.ts';
import { terminalSafe } from '../terminal-text.ts';
import { plural } from '../../core/plural.ts';
import { checkFolder, FolderError, readFolder } from './folder.ts';
import { FromError, readBaseline } from './baseline.ts';
import { newToken } from './guard.ts';
import { createPlayServer } from './server.ts';
import { siteFolder } from './site.ts';
import { DatabaseUrlError } from '../../drivers/node/open-database.ts';

const EXIT = { ok: 0, usage: 2 } as const;

const out = (text: string) => process.stdout.write(`${terminalSafe(text)}\n`);
const err = (text: string) => process.stderr.write(`${terminalSafe(text)}\n`);

export async function playCommand(argv: string[]): Promise<number> {
  let folder: string;
  let dir: string;
  let port: number;
  let baseline: Awaited<ReturnType<typeof readBaseline>> | null = null;
  let site: string | null;
  try {
    const args = parseArgs(argv);
    if (args.command !== 'play') throw new UsageError('moonwalk play: not the play command');
    if (args.flags.help) {
      out(USAGE);
      return EXIT.ok;
    }
    const env = withEnvFile(process.env, args.flags['env-file']);
    dir = args.flags.dir ?? env.MOONWALK_DIR ?? 'migrations';
    folder = checkFolder(dir);
    port = args.flags.port ?? 0;
    site = siteFolder(process.env);
    if (site === null)
      throw new FolderError(
        'the playground site is not built: run npm run build in the moonwalk checkout (the package ships it built)',
      );
    if (args.flags.from !== undefined) {
      const seconds = args.flags['connect-timeout'] ?? 10;
      baseline = await readBaseline(args.flags.from, seconds * 1000);
    }
  } catch (error) {
    const known =
      error instanceof UsageError ||
      error instanceof FolderError ||
      error instanceof FromError ||
      error instanceof DatabaseUrlError;
    const message = error instanceof Error ? error.message : String(error);
    err(`Error: ${known ? message : `--from: the database could not be read: ${message}`}`);
    return EXIT.usage;
  }

  const token = newToken();
  let bound = 0;
  const label = dir;
  const server = createPlayServer(
    {
      folder,
      folderLabel: dir,
      site,
      token,
      baseline,
      onSave: (names) => out(`Saved ${names.join(', ')} to ${label}`),
    },
    () => bound,
  );
  const listening = await new Promise<string | null>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'EADDRINUSE'
          ? `port ${port} on 127.0.0.1 is in use: pick another with --port N, or leave --port out for a free one`
          : error.code === 'EACCES'
            ? `port ${port} may not be used by this user: pick one above 1023 with --port N`
            : `cannot listen on 127.0.0.1:${port} (${error.message})`,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve(null));
  });
  if (listening !== null) {
    err(`Error: ${listening}`);
    return EXIT.usage;
  }
  const address = server.address();
  bound = typeof address === 'object' && address !== null ? address.port : port;
  out(`http://127.0.0.1:${bound}/?token=${token}`);
  const files = readFolder(folder);
  out(
    `Serving ${plural(files.length, 'migration')} of ${label} on 127.0.0.1 only. Open the address above; Save in the page ` +
      'writes your edits back to the folder. Ctrl-C stops.',
  );
  if (baseline !== null) {
    out(
      `Starting database: a copy of ${baseline.name}${baseline.kind === 'dump' ? ` on ${baseline.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'}` : ''} (never written to).`,
    );
    for (const note of baseline.notes) out(note);
  }
  return new Promise((resolve) => {
    const stop = () => {
      server.close(() => resolve(EXIT.ok));
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
