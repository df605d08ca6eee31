/**
 * A MySQL / MariaDB URL → connection settings, as the mysql client reads them. Node only.
 *
 * URL: `mysql://user:password@host:port/database?ssl-mode=…` (also `mariadb://`). Missing parts: MYSQL_PWD,
 * MYSQL_HOST, MYSQL_TCP_PORT, user = the login name (as the mysql client does). Query parameters: `ssl-mode` or
 * `sslmode` (DISABLED | PREFERRED | REQUIRED | VERIFY_CA | VERIFY_IDENTITY, or the libpq spellings disable / prefer /
 * require / verify-ca / verify-full; default PREFERRED), `ssl-ca` / `sslrootcert`, `ssl-cert` / `sslcert`,
 * `ssl-key` / `sslkey`, `socket` (a Unix socket path), `charset`.
 */
import os from 'node:os';
import type mysql from 'mysql2/promise';
import { ConnectionError } from '../connection-error.ts';
import { decodeUrlPart, maskUrl, parseServerUrl, readFileParam, serverPort } from '../server-url.ts';

type SslMode = 'disabled' | 'preferred' | 'required' | 'verify_ca' | 'verify_identity';
const SSL_MODE_NAMES: Record<string, SslMode> = {
  disabled: 'disabled',
  disable: 'disabled',
  preferred: 'preferred',
  prefer: 'preferred',
  allow: 'preferred',
  required: 'required',
  require: 'required',
  verify_ca: 'verify_ca',
  'verify-ca': 'verify_ca',
  verify_identity: 'verify_identity',
  'verify-identity': 'verify_identity',
  'verify-full': 'verify_identity',
};

export interface MysqlSettings {
  host: string;
  port: number;
  socketPath: string | undefined;
  user: string;
  password: string | undefined;
  database: string | undefined;
  charset: string | undefined;
  sslmode: SslMode;
  ssl: mysql.SslOptions | undefined;
  /** The URL for messages, password masked. */
  target: string;
  /** Host and port, or the socket, for the connect error. */
  where: string;
}

export function parseMysqlUrl(url: string, env: NodeJS.ProcessEnv = process.env): MysqlSettings {
  const u = parseServerUrl(url, ['mysql:', 'mariadb:'], 'MySQL', 'mysql://user:password@host:port/database');
  const p = u.searchParams;
  const dec = decodeUrlPart;
  const host = dec(u.hostname).replace(/^\[(.*)\]$/, '$1') || env.MYSQL_HOST || 'localhost';
  const port = serverPort(u.port || env.MYSQL_TCP_PORT || '3306');
  const socketPath = p.get('socket') ?? undefined;
  const user = dec(u.username) || p.get('user') || os.userInfo().username;
  const password = (u.password ? dec(u.password) : undefined) ?? p.get('password') ?? env.MYSQL_PWD ?? undefined;
  const database = dec(u.pathname.replace(/^\//, '')) || undefined;

  const modeText = (p.get('ssl-mode') ?? p.get('sslmode') ?? p.get('ssl_mode') ?? 'preferred').toLowerCase();
  const sslmode = SSL_MODE_NAMES[modeText];
  if (!sslmode) {
    throw new ConnectionError(
      `invalid ssl-mode "${modeText}" (use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY)`,
      'EINVAL',
    );
  }
  let ssl: mysql.SslOptions | undefined;
  if (sslmode !== 'disabled' && !socketPath) {
    ssl = {};
    const ca = p.get('ssl-ca') ?? p.get('sslrootcert');
    const cert = p.get('ssl-cert') ?? p.get('sslcert');
    const key = p.get('ssl-key') ?? p.get('sslkey');
    if (ca) ssl.ca = readFileParam('ssl-ca', ca);
    if (cert) ssl.cert = readFileParam('ssl-cert', cert);
    if (key) ssl.key = readFileParam('ssl-key', key);
    ssl.rejectUnauthorized = sslmode === 'verify_ca' || sslmode === 'verify_identity';
    ssl.verifyIdentity = sslmode === 'verify_identity';
  }
  return {
    host,
    port,
    socketPath,
    user,
    password,
    database,
    charset: p.get('charset') ?? undefined,
    sslmode,
    ssl,
    target: maskUrl(u),
    where: socketPath ? `${socketPath} (Unix socket)` : `${host}:${port}`,
  };
}
