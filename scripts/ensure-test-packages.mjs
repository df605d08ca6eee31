// Runs before `npm test`: the suite starts real PostgreSQL and MariaDB servers, PgBouncer and a real Chromium, from Debian's
// packages. Installs the missing ones where it can (root with apt-get), otherwise says exactly what to install.
import { existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const hasPostgres = () => {
  try {
    return readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/postgres`));
  } catch {
    return false;
  }
};
const packages = [
  ['chromium', () => existsSync('/usr/bin/chromium')],
  ['postgresql', hasPostgres],
  ['mariadb-server', () => existsSync('/usr/sbin/mariadbd')],
  ['pgbouncer', () => existsSync('/usr/sbin/pgbouncer')],
  ['sqlite3', () => existsSync('/usr/bin/sqlite3')], // test/integration/sql-dump.test.ts: a real `.dump`
  // test/integration/package.test.ts builds better-sqlite3 for Node 24 from source (node-gyp) on its first run.
  ['g++', () => existsSync('/usr/bin/g++')],
  ['make', () => existsSync('/usr/bin/make')],
  ['python3', () => existsSync('/usr/bin/python3')],
];
const missing = packages.filter(([, present]) => !present()).map(([name]) => name);
if (missing.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
if (!isRoot || !existsSync('/usr/bin/apt-get')) {
  console.error(
    `The test suite needs Debian's ${missing.join(', ')}: install them with\n` +
      `  sudo apt-get install -y ${missing.join(' ')}\nthen run npm test again.`,
  );
  process.exit(1);
}
console.log(`Installing Debian's ${missing.join(', ')} for the test suite ...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
} catch (error) {
  console.error(
    `Installing ${missing.join(', ')} failed (${error.message}). Install them by hand and run npm test again.`,
  );
  process.exit(1);
}
