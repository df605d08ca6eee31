/**
 * The settings a `.env` file may give (DESIGN §5, dbmate's convention): `DATABASE_URL` and `MOONWALK_DIR`, read from
 * `./.env` when there is one, or from `--env-file PATH`, and used only where the environment does not set them.
 * Other variables in the file are left alone: the file is usually the application's own, and the command needs only
 * these two. Parsed by Node's own `util.parseEnv` (the format of `node --env-file`).
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { UsageError } from './args.ts';

/** The variables the command reads from its environment. */
export const ENV_FILE_VARIABLES = ['DATABASE_URL', 'MOONWALK_DIR'] as const;

export type Environment = Record<string, string | undefined>;

/**
 * `env` with what the env file adds. A `--env-file` that cannot be read is a usage error (exit 2); a missing default
 * `./.env` is nothing.
 */
export function withEnvFile(env: Environment, envFile: string | undefined): Environment {
  const path = envFile ?? '.env';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (envFile === undefined && (code === 'ENOENT' || code === 'EISDIR')) return env;
    const named = envFile === undefined ? `the env file ${path}` : `--env-file ${path}`;
    throw new UsageError(
      code === 'ENOENT'
        ? `${named}: no such file (give the path of a file of NAME=value lines, e.g. --env-file .env.ci)`
        : code === 'EISDIR'
          ? `${named} is a folder, not a file of NAME=value lines`
          : `cannot read ${named}${code === 'EACCES' ? ': permission denied' : ''}`,
    );
  }
  const fromFile = parseEnv(text);
  const added: Environment = {};
  for (const name of ENV_FILE_VARIABLES) {
    if (env[name] === undefined && fromFile[name] !== undefined) added[name] = fromFile[name];
  }
  return { ...env, ...added };
}
