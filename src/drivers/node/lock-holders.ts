/**
 * Who holds a lock on a file, for messages: the processes with a POSIX lock on it, from Linux's /proc/locks (SQLite
 * locks its files with POSIX advisory locks). Empty where that is not known (another system, no permission).
 */
import { readFileSync, statSync } from 'node:fs';

export function lockHolders(path: string): string[] {
  let inode: number;
  let locks: string;
  try {
    inode = statSync(path).ino;
    locks = readFileSync('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  const pids = new Set<number>();
  for (const line of locks.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 1073741824 1073741825"
    const fields = line.trim().split(/\s+/);
    const device = fields.find((f) => /^[0-9a-f]+:[0-9a-f]+:\d+$/i.test(f));
    const pid = Number(fields[fields.indexOf(device ?? '') - 1]);
    if (device && Number(device.split(':')[2]) === inode && pid > 0 && pid !== process.pid) pids.add(pid);
  }
  return [...pids].map((pid) => {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      return `process ${pid} (${command.length > 80 ? `${command.slice(0, 79)}…` : command})`;
    } catch {
      return `process ${pid}`;
    }
  });
}

/** ", held by process 1234 (node app.js)" or '' when nobody is known. */
export function heldBy(path: string): string {
  const holders = lockHolders(path);
  return holders.length ? `, held by ${holders.join(' and ')}` : '';
}
