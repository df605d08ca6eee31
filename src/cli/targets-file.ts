/**
 * `--targets FILE` (DESIGN §5): the databases a fleet command runs on, one URL a line. A tenant schema is a server URL
 * with `?schema=NAME`; blank lines and `#` comments are skipped. Node only.
 */
import { readFileSync } from 'node:fs';
import { maskPassword } from '../drivers/node/open-database.ts';
import { UsageError } from './args.ts';

export interface Target {
  url: string;
  /** The URL with its password masked: what every message and the JSON document name the target by. */
  name: string;
  /** Where it was written, for messages. */
  line: number;
}

export function readTargetsFile(file: string): Target[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `the targets file ${file} does not exist: write one database URL a line, or fix --targets`
        : `cannot read the targets file ${file}: ${(error as Error).message}`,
    );
  }
  const targets: Target[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const url = raw.replace(/^\uFEFF/, '').trim();
    if (url === '' || url.startsWith('#')) return;
    const name = maskTarget(url);
    if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) {
      throw new UsageError(`${file}:${line}: "${name}" is not a database URL (write one URL a line, # for comments)`);
    }
    const earlier = seen.get(url);
    if (earlier !== undefined) {
      throw new UsageError(
        `${file}:${line}: ${name} is listed twice (first on line ${earlier}): list each target once`,
      );
    }
    seen.set(url, line);
    targets.push({ url, name, line });
  });
  if (targets.length === 0) throw new UsageError(`the targets file ${file} lists no database URL`);
  return targets;
}

/** A target's URL for people: the password, and any query parameter that looks like one, masked. */
export function maskTarget(url: string): string {
  return maskPassword(url).replace(/([?&][^=&]*pass[^=&]*=)[^&]*/gi, '$1***');
}
