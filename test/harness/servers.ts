/**
 * Starts throw-away PostgreSQL and MariaDB servers for tests: a fresh data directory under the OS temp dir, a free
 * port on 127.0.0.1, a real user with a password, and a database of its own.
 *
 * Debian packages: `postgresql` (binaries in /usr/lib/postgresql/<version>/bin) and `mariadb-server`
 * (/usr/sbin/mariadbd, /usr/bin/mariadb-install-db). Nothing else is needed: set-up SQL goes through the `pg` and
 * `mysql2` clients, not psql or the mariadb client.
 *
 * When the process runs as root, both servers run as an unprivileged user (PostgreSQL refuses root): `postgres` /
 * `mysql` when those accounts exist, else `nobody`, or whatever MOONWALK_TEST_DB_USER names.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';

export interface RunningServer {
  /** Connection URL for the ordinary (non-superuser) test user and its own database. */
  url: string;
  /** Connection URL for a superuser, for set-up work such as creating databases. */
  adminUrl?: string;
  /** Shuts the server down and removes its data directory. Safe to call twice. */
  stop(): Promise<void>;
  /** The server's process id, for tests that kill it. After `restart()` this is the new process's id. */
  pid: number;
}

/** What the starters really return: a `RunningServer` that can also be killed hard and started again on the same data. */
export interface ManagedServer extends RunningServer {
  readonly engine: 'postgres' | 'mysql';
  readonly port: number;
  readonly dataDir: string;
  /** SIGKILL, as a crash would. The data directory stays; `restart()` brings it back on the same port. */
  kill(): Promise<void>;
  /** Starts the server again on the same data directory and port (after `kill()`, or a clean stop of the process). */
  restart(): Promise<void>;
  /** The last lines of the server's log. */
  logTail(lines?: number): string;
}

export const TEST_USER = 'moonwalk';
export const TEST_PASSWORD = 'secret';
export const TEST_DATABASE = 'moonwalk';
const ADMIN_PASSWORD = 'secret';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------------------------------
// shared plumbing

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** When root, the unprivileged account the servers run as; otherwise null (run as ourselves). */
function unprivilegedUser(preferred: string): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const candidates = [process.env.MOONWALK_TEST_DB_USER, preferred, 'nobody'].filter((x): x is string => !!x);
  for (const name of candidates) {
    try {
      const entry = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
      const [, , uid, gid] = entry.split(':');
      if (uid !== undefined && gid !== undefined && Number(uid) !== 0)
        return { name, uid: Number(uid), gid: Number(gid) };
    } catch {
      // no such account: try the next
    }
  }
  throw new Error(
    `running as root, but none of the accounts ${candidates.join(', ')} exists to run the database server as; ` +
      'create one (useradd --system moonwalk-db) and set MOONWALK_TEST_DB_USER',
  );
}

function chownTree(dir: string, who: RunAs | null): void {
  if (!who) return;
  const walk = (p: string): void => {
    fs.lchownSync(p, who.uid, who.gid);
    if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 25): string {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * For an error message: copies a log out of the data directory (which is removed when start-up fails) to a file
 * beside it, and returns where it went plus its last lines.
 */
function savedLogTail(log: string, dir: string): string {
  const saved = `${dir}-${path.basename(log)}`;
  try {
    fs.copyFileSync(log, saved);
  } catch {
    return `last lines of its log:\n${tail(log)}`;
  }
  return `last lines of its log (saved as ${saved}):\n${tail(saved)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs a set-up program to completion, output appended to `log`; throws with the log's tail when it fails. */
async function runTool(
  what: string,
  file: string,
  args: string[],
  log: string,
  dir: string,
  who: RunAs | null,
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  const fd = fs.openSync(log, 'a');
  try {
    const child = spawn(file, args, {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, LANG: 'C', LC_ALL: 'C', ...env },
      ...(who ? { uid: who.uid, gid: who.gid } : {}),
    });
    const [code, signal] = (await Promise.race([
      once(child, 'exit'),
      once(child, 'error').then(([e]) => Promise.reject(e as Error)),
    ])) as [number | null, NodeJS.Signals | null];
    if (code !== 0) {
      throw new Error(`${what} failed (${signal ?? `exit code ${code}`}); ${savedLogTail(log, dir)}`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Everything still running, so that a test process that exits without stopping its servers does not leak them. */
const live = new Set<{ kill(): void }>();
let exitHookInstalled = false;
function track(entry: { kill(): void }): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const e of live) e.kill();
    });
  }
  live.add(entry);
  return () => live.delete(entry);
}

interface ServerSpec {
  engine: 'postgres' | 'mysql';
  name: string; // "PostgreSQL", "MariaDB"
  dir: string;
  dataDir: string;
  log: string;
  port: number;
  who: RunAs | null;
  command: string;
  args: string[];
  /** Tries one connection; resolves when the server is ready for the tests. */
  probe(): Promise<void>;
  /** Signal for a clean, quick shutdown. */
  stopSignal: NodeJS.Signals;
  /** Signal for the process-exit hook (must not leave orphans). */
  killSignal: NodeJS.Signals;
  url: string;
  adminUrl: string;
  /** Runs once after the first successful start. */
  afterFirstStart?(): Promise<void>;
}

async function launch(spec: ServerSpec): Promise<ManagedServer> {
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let stopped = false;
  let untrack: () => void = () => {};

  const startProcess = async (): Promise<void> => {
    const fd = fs.openSync(spec.log, 'a');
    let proc: ChildProcess;
    try {
      proc = spawn(spec.command, spec.args, {
        stdio: ['ignore', fd, fd],
        env: { ...process.env, LANG: 'C', LC_ALL: 'C', HOME: spec.dir },
        ...(spec.who ? { uid: spec.who.uid, gid: spec.who.gid } : {}),
      });
    } finally {
      fs.closeSync(fd);
    }
    child = proc;
    let exitInfo: string | null = null;
    let spawnError: Error | null = null;
    proc.on('error', (e) => {
      spawnError = e;
    });
    exited = new Promise<void>((resolve) => {
      proc.on('close', (code, signal) => {
        exitInfo = signal ?? `exit code ${code}`;
        resolve();
      });
    });
    untrack();
    untrack = track({
      kill: () => {
        try {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill(spec.killSignal);
        } catch {
          // already gone
        }
        if (!stopped) fs.rmSync(spec.dir, { recursive: true, force: true });
      },
    });

    const deadline = Date.now() + START_TIMEOUT_MS;
    let lastError = '';
    for (;;) {
      if (spawnError)
        throw new Error(`${spec.name} could not be started (${spec.command}): ${(spawnError as Error).message}`);
      if (exitInfo !== null) {
        throw new Error(`${spec.name} exited during start-up (${exitInfo}); ${savedLogTail(spec.log, spec.dir)}`);
      }
      try {
        await spec.probe();
        return;
      } catch (e) {
        lastError = (e as Error).message;
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        await exited;
        throw new Error(
          `${spec.name} did not accept connections on 127.0.0.1:${spec.port} within ${START_TIMEOUT_MS / 1000} s ` +
            `(last attempt: ${lastError}); ${savedLogTail(spec.log, spec.dir)}`,
        );
      }
      await sleep(50);
    }
  };

  const cleanup = (): void => {
    untrack();
    fs.rmSync(spec.dir, { recursive: true, force: true });
  };

  try {
    await startProcess();
    await spec.afterFirstStart?.();
  } catch (e) {
    const proc = child as ChildProcess | null;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    untrack(); // the caller removes the directory (or retries on another port with it)
    throw e;
  }

  const terminate = async (signal: NodeJS.Signals, timeoutMs: number): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), timeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([exited.then(() => 'exited' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      proc.kill('SIGKILL');
      await exited;
    }
  };

  const server: ManagedServer = {
    engine: spec.engine,
    url: spec.url,
    adminUrl: spec.adminUrl,
    port: spec.port,
    dataDir: spec.dataDir,
    get pid(): number {
      return child?.pid ?? -1;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate(spec.stopSignal, STOP_TIMEOUT_MS);
      cleanup();
    },
    async kill() {
      await terminate('SIGKILL', STOP_TIMEOUT_MS);
    },
    async restart() {
      if (stopped) throw new Error(`${spec.name} on port ${spec.port} was stopped; its data directory is gone`);
      await terminate(spec.stopSignal, STOP_TIMEOUT_MS);
      await startProcess();
    },
    logTail(lines?: number) {
      return tail(spec.log, lines);
    },
  };
  return server;
}

/**
 * Starts on a free port, again on another one when the port picked was taken in the meantime. Removes `dir` when
 * the server does not start after all.
 */
async function withPortRetry(dir: string, start: (port: number) => Promise<ManagedServer>): Promise<ManagedServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (e) {
      const msg = (e as Error).message;
      if (attempt < 3 && /address already in use|could not create listen socket|Can't start server: Bind/i.test(msg)) {
        fs.rmSync(`${dir}-server.log`, { force: true }); // saved for the error message; not needed after all
        continue;
      }
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }
}

function makeTempDir(prefix: string, who: RunAs | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (who) fs.chownSync(dir, who.uid, who.gid);
  return dir;
}

// ---------------------------------------------------------------------------------------------------------------------
// PostgreSQL

export function findPostgresBin(): string {
  const override = process.env.MOONWALK_PG_BIN;
  const candidates: string[] = [];
  if (override) candidates.push(override);
  try {
    const versions = fs
      .readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // not installed there
  }
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'postgres')) && fs.existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries not found (looked for initdb and postgres in ' +
      (candidates.length ? candidates.join(', ') : '/usr/lib/postgresql/*/bin') +
      "): install Debian's postgresql (apt-get install -y postgresql), or set MOONWALK_PG_BIN to a directory holding them",
  );
}

async function pgProbe(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

async function pgAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startPostgres(): Promise<ManagedServer> {
  const bin = findPostgresBin();
  const who = unprivilegedUser('postgres');
  const dir = makeTempDir('moonwalk-pg-', who);
  const dataDir = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const setupLog = path.join(dir, 'initdb.log');
  try {
    const pwfile = path.join(dir, 'pwfile');
    fs.writeFileSync(pwfile, ADMIN_PASSWORD + '\n', { mode: 0o600 });
    if (who) fs.chownSync(pwfile, who.uid, who.gid);
    await runTool(
      'initdb',
      path.join(bin, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        `--pwfile=${pwfile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ],
      setupLog,
      dir,
      who,
    );
    fs.rmSync(pwfile);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  let first = true;
  return withPortRetry(dir, async (port) => {
    if (!first) fs.appendFileSync(log, `\n--- retrying on another port ---\n`);
    first = false;
    const adminUrl = `postgres://postgres:${ADMIN_PASSWORD}@127.0.0.1:${port}/postgres`;
    const url = `postgres://${TEST_USER}:${TEST_PASSWORD}@127.0.0.1:${port}/${TEST_DATABASE}`;
    return launch({
      engine: 'postgres',
      name: 'PostgreSQL',
      dir,
      dataDir,
      log,
      port,
      who,
      command: path.join(bin, 'postgres'),
      args: [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${dir}`,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'shared_buffers=32MB',
        '-c',
        'max_connections=60',
        '-c',
        'logging_collector=off',
        '-c',
        'log_min_messages=warning',
      ],
      probe: () => pgProbe(adminUrl),
      stopSignal: 'SIGINT', // fast shutdown
      killSignal: 'SIGQUIT', // immediate shutdown, takes the backends along
      url,
      adminUrl,
      afterFirstStart: () =>
        pgAdmin(adminUrl, async (c) => {
          await c.query(`CREATE ROLE ${TEST_USER} LOGIN PASSWORD '${TEST_PASSWORD}'`);
          await c.query(`CREATE DATABASE ${TEST_DATABASE} OWNER ${TEST_USER}`);
        }),
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// MariaDB

export function findMariadbBins(): { server: string; installDb: string } {
  const server = [process.env.MOONWALK_MARIADBD, '/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find(
    (p): p is string => !!p && fs.existsSync(p),
  );
  const installDb = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db', '/usr/sbin/mariadb-install-db'].find(
    (p) => fs.existsSync(p),
  );
  if (!server || !installDb) {
    throw new Error(
      `MariaDB server binaries not found (${!server ? '/usr/sbin/mariadbd' : '/usr/bin/mariadb-install-db'} is missing): ` +
        "install Debian's mariadb-server (apt-get install -y mariadb-server)",
    );
  }
  return { server, installDb };
}

async function mysqlProbe(url: string): Promise<void> {
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 2000 });
  conn.on('error', () => {});
  try {
    await conn.query('SELECT 1');
  } finally {
    await conn.end().catch(() => {});
  }
}

function mysqlQuote(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

export async function startMariadb(): Promise<ManagedServer> {
  const { server, installDb } = findMariadbBins();
  const who = unprivilegedUser('mysql');
  const dir = makeTempDir('moonwalk-mariadb-', who);
  const dataDir = path.join(dir, 'data');
  const tmpDir = path.join(dir, 'tmp');
  const log = path.join(dir, 'server.log');
  const setupLog = path.join(dir, 'install-db.log');
  const initFile = path.join(dir, 'init.sql');
  // Tuned for a throw-away server: small and quick, not durable.
  const serverOptions = [
    '--innodb-buffer-pool-size=16M',
    '--innodb-log-file-size=8M',
    '--innodb-log-buffer-size=2M',
    '--innodb-flush-log-at-trx-commit=2',
    '--innodb-doublewrite=0',
    '--innodb-use-native-aio=0',
    '--skip-name-resolve',
    '--performance-schema=0',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_general_ci',
    `--tmpdir=${tmpDir}`,
    ...(who ? [`--user=${who.name}`] : []),
  ];
  try {
    fs.mkdirSync(dataDir);
    fs.mkdirSync(tmpDir);
    // Runs at every start (restart included), hence IF NOT EXISTS. Real users with passwords: no --skip-grant-tables.
    fs.writeFileSync(
      initFile,
      [
        `CREATE USER IF NOT EXISTS 'admin'@'%' IDENTIFIED BY ${mysqlQuote(ADMIN_PASSWORD)};`,
        `GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION;`,
        `CREATE USER IF NOT EXISTS '${TEST_USER}'@'%' IDENTIFIED BY ${mysqlQuote(TEST_PASSWORD)};`,
        `CREATE DATABASE IF NOT EXISTS \`${TEST_DATABASE}\`;`,
        `GRANT ALL PRIVILEGES ON \`${TEST_DATABASE}\`.* TO '${TEST_USER}'@'%';`,
        '',
      ].join('\n'),
    );
    chownTree(dir, who);
    await runTool(
      'mariadb-install-db',
      installDb,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--auth-root-authentication-method=socket',
        '--skip-test-db',
        ...serverOptions,
      ],
      setupLog,
      dir,
      null, // it switches to --user itself
    );
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  let first = true;
  return withPortRetry(dir, async (port) => {
    if (!first) fs.appendFileSync(log, `\n--- retrying on another port ---\n`);
    first = false;
    const url = `mysql://${TEST_USER}:${TEST_PASSWORD}@127.0.0.1:${port}/${TEST_DATABASE}`;
    const adminUrl = `mysql://admin:${ADMIN_PASSWORD}@127.0.0.1:${port}/`;
    return launch({
      engine: 'mysql',
      name: 'MariaDB',
      dir,
      dataDir,
      log,
      port,
      who,
      command: server,
      args: [
        '--no-defaults',
        `--datadir=${dataDir}`,
        `--socket=${path.join(dir, 'mysqld.sock')}`,
        `--pid-file=${path.join(dir, 'mysqld.pid')}`,
        '--skip-networking=0',
        '--bind-address=127.0.0.1',
        `--port=${port}`,
        `--init-file=${initFile}`,
        '--skip-log-bin',
        '--max-connections=100',
        ...serverOptions,
      ],
      // The test user exists only once the init file has run, so probing with it also waits for that.
      probe: () => mysqlProbe(url),
      stopSignal: 'SIGTERM',
      killSignal: 'SIGKILL',
      url,
      adminUrl,
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------------

/**
 * Creates (or empties, by dropping and re-creating) database `name` on the server and returns a URL for the test user
 * on it. Works with any `{url, adminUrl?}`: the admin URL is used for the work when there is one.
 */
export async function createScratchDatabase(
  server: Pick<RunningServer, 'url' | 'adminUrl'>,
  name: string,
): Promise<string> {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`scratch database name ${JSON.stringify(name)}: use letters, digits and _ (at most 63)`);
  }
  const target = new URL(server.url);
  const admin = server.adminUrl ?? server.url;
  const user = decodeURIComponent(target.username);
  if (target.protocol === 'postgres:' || target.protocol === 'postgresql:') {
    await pgAdmin(admin, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${name}" OWNER "${user.replace(/"/g, '""')}"`);
    });
  } else if (target.protocol === 'mysql:' || target.protocol === 'mariadb:') {
    const conn = await mysql.createConnection({ uri: admin, connectTimeout: 5000 });
    conn.on('error', () => {});
    try {
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.query(`CREATE DATABASE \`${name}\``);
      if (server.adminUrl) await conn.query(`GRANT ALL PRIVILEGES ON \`${name}\`.* TO ?@'%'`, [user]);
    } finally {
      await conn.end().catch(() => {});
    }
  } else {
    throw new Error(`createScratchDatabase: not a server URL: ${target.protocol}`);
  }
  target.pathname = '/' + name;
  return target.toString();
}

// ---------------------------------------------------------------------------------------------------------------------
// PgBouncer

export function findPgBouncer(): string {
  const bin = [process.env.MOONWALK_PGBOUNCER, '/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find(
    (p): p is string => !!p && fs.existsSync(p),
  );
  if (!bin) {
    throw new Error(
      "PgBouncer not found (/usr/sbin/pgbouncer): install Debian's pgbouncer (apt-get install -y pgbouncer), " +
        'or set MOONWALK_PGBOUNCER to its path',
    );
  }
  return bin;
}

export interface PgBouncerOptions {
  /** Server connections per database and user (default_pool_size). Small pools make clients share connections. */
  poolSize?: number;
}

/**
 * PgBouncer in transaction pooling mode in front of `server` (a PostgreSQL server of this harness): its own folder,
 * config and userlist, a free port, run as the unprivileged user when root (PgBouncer refuses root as PostgreSQL
 * does). Every database of the server is reachable through it with the same user names and passwords; `url` is the
 * test user's database through the pooler, `adminUrl` the server's own admin URL (past the pooler, for looking at
 * pg_stat_activity). Stop it before the server.
 */
export async function startPgBouncer(
  server: Pick<RunningServer, 'url' | 'adminUrl'>,
  options: PgBouncerOptions = {},
): Promise<ManagedServer> {
  const bin = findPgBouncer();
  const who = unprivilegedUser('postgres');
  const dir = makeTempDir('moonwalk-pgbouncer-', who);
  const target = new URL(server.url);
  const admin = new URL(server.adminUrl ?? server.url);
  const userlist = path.join(dir, 'userlist.txt');
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(
    userlist,
    [target, admin]
      .map((u) => `${quote(decodeURIComponent(u.username))} ${quote(decodeURIComponent(u.password))}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  const log = path.join(dir, 'server.log');
  fs.writeFileSync(log, '');
  chownTree(dir, who);
  return withPortRetry(dir, async (port) => {
    const config = path.join(dir, 'pgbouncer.ini');
    fs.writeFileSync(
      config,
      [
        '[databases]',
        `* = host=${target.hostname} port=${target.port || 5432}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        `unix_socket_dir = ${dir}`,
        `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
        `logfile = ${log}`,
        'auth_type = scram-sha-256',
        `auth_file = ${userlist}`,
        'pool_mode = transaction',
        `default_pool_size = ${options.poolSize ?? 4}`,
        'min_pool_size = 0',
        'max_client_conn = 500',
        'ignore_startup_parameters = extra_float_digits',
        'server_login_retry = 1',
        '',
      ].join('\n'),
    );
    chownTree(dir, who);
    const url = new URL(server.url);
    url.port = String(port);
    return launch({
      engine: 'postgres',
      name: 'PgBouncer',
      dir,
      dataDir: dir,
      log,
      port,
      who,
      command: bin,
      args: [config],
      probe: () => pgProbe(url.toString()),
      stopSignal: 'SIGTERM', // immediate shutdown (SIGINT would wait for every client to leave)
      killSignal: 'SIGKILL',
      url: url.toString(),
      adminUrl: admin.toString(),
    });
  });
}
