/** A block's `options{ lock_timeout, statement_timeout }` (PostgreSQL only), set around its migration. */
import type { Driver } from '../driver.ts';
import type { BlockOptions } from '../lua/host.ts';
import { control } from './run-failure.ts';

/**
 * `options{ lock_timeout, statement_timeout }` (PostgreSQL only; the DSL refuses them elsewhere): SET LOCAL inside
 * the migration's transaction, a session SET outside one (reset by resetTimeouts). `value` 'DEFAULT' undoes them.
 * The durations were checked by the DSL (digits and a unit), so they are safe to quote.
 */
export async function setTimeouts(
  driver: Driver,
  id: string,
  options: BlockOptions | undefined,
  value?: 'DEFAULT',
): Promise<void> {
  if (!options) return;
  const scope = options.transaction ? 'SET LOCAL' : 'SET';
  for (const [name, duration] of timeouts(options)) {
    const sql = `${scope} ${name} = ${value ?? `'${duration}'`}`;
    await control(id, 'begin', () => driver.exec(sql));
  }
}

export async function resetTimeouts(driver: Driver, options: BlockOptions | undefined): Promise<void> {
  if (!options) return;
  for (const [name] of timeouts(options)) {
    try {
      await driver.exec(`RESET ${name}`);
    } catch {
      // The connection is gone: the setting went with it.
    }
  }
}

function timeouts(options: BlockOptions): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  if (options.lockTimeout) list.push(['lock_timeout', options.lockTimeout]);
  if (options.statementTimeout) list.push(['statement_timeout', options.statementTimeout]);
  return list;
}
