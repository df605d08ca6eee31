/**
 * Through a real PgBouncer in transaction pooling mode (DESIGN §4): why the advisory lock is not enough there, and
 * the lock table that is.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { openPostgres } from '../../src/drivers/postgres/open.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { startPgBouncer, type ManagedServer } from '../harness/servers.ts';

let server: TestServer;
/** Pool of one server connection: every client of a database shares it, as a busy pool ends up doing. */
let bouncer: ManagedServer;

beforeAll(async () => {
  server = await useServer('postgres');
  bouncer = await startPgBouncer(server, { poolSize: 1 });
});

afterAll(async () => {
  await bouncer?.stop();
  await server?.stop();
});

/** `url` (a database on the test server) reached through the pooler instead. */
function pooled(url: string): string {
  const u = new URL(url);
  u.port = String(bouncer.port);
  return u.toString();
}

describe('the advisory lock behind transaction pooling', () => {
  test('does not keep a second runner out: both "hold" it at once', async () => {
    const direct = await scratchDatabase(server, 'bouncer_advisory');
    const url = pooled(direct);
    const drivers: Driver[] = [];
    try {
      // Straight to the server, the lock excludes: the second runner is refused.
      const [a, b] = [
        await openPostgres(direct, { connectTimeoutMs: 5000 }),
        await openPostgres(direct, { connectTimeoutMs: 5000 }),
      ];
      drivers.push(a, b);
      const releaseDirect = await a.lock(0);
      await expect(b.lock(0)).rejects.toThrow(/another moonwalk run holds the lock/);
      await releaseDirect();

      const first = await openPostgres(url, { connectTimeoutMs: 5000 });
      const second = await openPostgres(url, { connectTimeoutMs: 5000 });
      drivers.push(first, second);
      await first.lock(0);
      // Straight to the server, the second runner would be refused (pg_try_advisory_lock is false). Through the
      // pooler its statement runs on the server connection whose session took the lock for the first runner, where
      // the lock is reentrant: granted.
      const release = await second.lock(0);
      expect(typeof release).toBe('function');
    } finally {
      await Promise.all(drivers.map((d) => d.close()));
    }
  });
});
