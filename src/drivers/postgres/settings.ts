/**
 * A PostgreSQL URL → connection settings, as libpq reads them. Node only.
 *
 * URL: `postgres://user:password@host:port/database?sslmode=…&schema=…` (also `postgresql://`). Missing parts come
 * from PGUSER, PGPASSWORD, PGHOST, PGPORT, PGDATABASE, PGSSLMODE, PGAPPNAME (and ~/.pgpass through `pg`), as with libpq.
 * Query parameters understood: `sslmode` (disable | allow | prefer | require | verify-ca | verify-full; default prefer),
 * `sslrootcert` (a file, or `system` for the system's CAs), `sslcert`, `sslkey`, `schema` (sets search_path, creates
 * nothing), `host` (e.g. a Unix socket directory), `port`, `user`, `password`, `dbname`, `application_name`, `options`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { ConnectionError } from '../connection-error.ts';
import { decodeUrlPart, maskUrl, parseServerUrl, readFileParam, serverPort } from '../server-url.ts';

type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface PgSettings {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  sslmode: SslMode;
  ssl: false | ConnectionOptions;
  schema: string | undefined;
  applicationName: string;
  options: string | undefined;
  /** The URL for messages, password masked. */
  target: string;
}

function sslOptions(
  mode: SslMode,
  params: URLSearchParams,
  env: NodeJS.ProcessEnv,
  host: string,
): false | ConnectionOptions {
  if (mode === 'disable' || host.startsWith('/')) return false;
  const opts: ConnectionOptions = {};
  const certFile = params.get('sslcert') ?? env.PGSSLCERT;
  const keyFile = params.get('sslkey') ?? env.PGSSLKEY;
  if (certFile) opts.cert = readFileParam('sslcert', certFile);
  if (keyFile) opts.key = readFileParam('sslkey', keyFile);

  let rootCert = params.get('sslrootcert') ?? env.PGSSLROOTCERT;
  const defaultRoot = path.join(os.homedir(), '.postgresql', 'root.crt');
  if (!rootCert && (mode === 'verify-ca' || mode === 'verify-full') && fs.existsSync(defaultRoot))
    rootCert = defaultRoot;
  if (rootCert && rootCert !== 'system') opts.ca = readFileParam('sslrootcert', rootCert);

  if (mode === 'verify-full') {
    opts.rejectUnauthorized = true; // chain and host name
  } else if (mode === 'verify-ca' || (mode === 'require' && rootCert)) {
    // libpq: with a root certificate, "require" behaves like verify-ca
    opts.rejectUnauthorized = true;
    opts.checkServerIdentity = () => undefined;
  } else {
    opts.rejectUnauthorized = false; // allow / prefer / require: encrypted, not authenticated
  }
  return opts;
}

export function parsePostgresUrl(url: string, env: NodeJS.ProcessEnv = process.env): PgSettings {
  const u = parseServerUrl(
    url,
    ['postgres:', 'postgresql:'],
    'PostgreSQL',
    'postgres://user:password@host:port/database',
  );
  const p = u.searchParams;
  const dec = decodeUrlPart;
  const host = dec(u.hostname).replace(/^\[(.*)\]$/, '$1') || p.get('host') || env.PGHOST || 'localhost';
  const port = serverPort(u.port || p.get('port') || env.PGPORT || '5432');
  const user = dec(u.username) || p.get('user') || env.PGUSER || os.userInfo().username;
  const password = (u.password ? dec(u.password) : undefined) ?? p.get('password') ?? env.PGPASSWORD ?? undefined;
  const database = dec(u.pathname.replace(/^\//, '')) || p.get('dbname') || env.PGDATABASE || user;
  const modeText = (p.get('sslmode') ?? env.PGSSLMODE ?? 'prefer').toLowerCase();
  if (!SSL_MODES.includes(modeText as SslMode)) {
    throw new ConnectionError(`invalid sslmode "${modeText}" (use one of ${SSL_MODES.join(', ')})`, 'EINVAL');
  }
  const sslmode = modeText as SslMode;
  return {
    host,
    port,
    user,
    password,
    database,
    sslmode,
    ssl: sslOptions(sslmode, p, env, host),
    schema: p.get('schema') ?? undefined,
    applicationName: p.get('application_name') ?? env.PGAPPNAME ?? 'moonwalk',
    options: p.get('options') ?? undefined,
    target: maskUrl(u),
  };
}
