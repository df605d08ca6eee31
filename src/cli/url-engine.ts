import type { Engine } from '../core/driver.ts';

/** The engine a `--db` URL names, for a document written without a connection (a failure before or outside it). */
export function urlEngine(url: string): Engine {
  if (/^(postgres|postgresql|pglite):/i.test(url)) return 'postgres';
  if (/^(mysql|mariadb):/i.test(url)) return 'mysql';
  return 'sqlite';
}
