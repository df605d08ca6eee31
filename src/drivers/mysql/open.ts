/**
 * MySQL and MariaDB over the network, through `mysql2`: `openMysql(url)` connects (TLS as the URL's ssl-mode says,
 * falling back to plain TCP where the mysql client would) and hands back the driver. Node only.
 */
import mysql from 'mysql2/promise';
import type { Driver } from '../../core/driver.ts';
import { ConnectionError } from '../connection-error.ts';
import { connectFailureReason } from '../server-url.ts';
import { MysqlDriver } from './driver.ts';
import { parseMysqlUrl, type MysqlSettings } from './settings.ts';
import { typeCast } from './values.ts';

export interface OpenMysqlOptions {
  /** How long connecting (TCP, TLS and authentication) may take before giving up. */
  connectTimeoutMs: number;
}

async function connect(
  s: MysqlSettings,
  ssl: mysql.SslOptions | undefined,
  timeoutMs: number,
): Promise<mysql.Connection> {
  let timedOut = false;
  const attempt = mysql.createConnection({
    host: s.host,
    port: s.port,
    socketPath: s.socketPath,
    user: s.user,
    password: s.password,
    database: s.database,
    charset: s.charset,
    ssl,
    connectTimeout: Math.max(1, timeoutMs),
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    multipleStatements: true,
    typeCast,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(Object.assign(new Error('no answer within the connect timeout'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
    if (timedOut)
      attempt.then(
        (c) => c.destroy(),
        () => {},
      );
  }
}

export async function openMysql(url: string, options: OpenMysqlOptions): Promise<Driver> {
  const s = parseMysqlUrl(url);
  const started = Date.now();
  const timeoutMs = Math.max(1, options.connectTimeoutMs);
  let conn: mysql.Connection;
  try {
    try {
      conn = await connect(s, s.ssl, timeoutMs);
    } catch (err) {
      // PREFERRED: a server without TLS is fine, as with the mysql client
      if (!(s.sslmode === 'preferred' && (err as { code?: unknown })?.code === 'HANDSHAKE_NO_SSL_SUPPORT')) throw err;
      conn = await connect(s, undefined, Math.max(1, timeoutMs - (Date.now() - started)));
    }
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    throw new ConnectionError(
      `could not connect to MySQL at ${s.where} (${s.database ? `database "${s.database}", ` : ''}user "${s.user}"): ` +
        connectFailureReason(err, s.password),
      typeof code === 'string' ? code : 'ECONNREFUSED',
      err,
    );
  }
  return new MysqlDriver(conn, s);
}
