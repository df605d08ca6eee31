/**
 * What the server drivers (PostgreSQL, MySQL/MariaDB) throw when the database cannot be reached or the connection is
 * gone, as opposed to a statement the server refused. The CLI maps it to exit code 2 at connect time. The message names
 * the host and port, never the password. `code` is the engine's or the socket's code (SQLSTATE class 08, ECONNREFUSED,
 * ETIMEDOUT, PROTOCOL_CONNECTION_LOST, …).
 */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
  code: string;
  constructor(message: string, code: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}
