/** What the server drivers share about their connection URLs (Node only). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectionError } from './connection-error.ts';

/** The URL for messages: the password, and any query parameter that looks like one, replaced by `***`. */
export function maskUrl(u: URL): string {
  const copy = new URL(u.href);
  if (copy.password) copy.password = '***';
  for (const key of [...copy.searchParams.keys()]) {
    if (/pass/i.test(key)) copy.searchParams.set(key, '***');
  }
  return copy.href;
}

/** The text of a file named by a URL parameter (`sslrootcert=~/ca.pem`), or a ConnectionError saying which. */
export function readFileParam(what: string, file: string): string {
  const expanded = file.startsWith('~/') ? path.join(os.homedir(), file.slice(2)) : file;
  try {
    return fs.readFileSync(expanded, 'utf8');
  } catch (e) {
    throw new ConnectionError(`cannot read ${what} file ${expanded}: ${(e as Error).message}`, 'ENOENT', e);
  }
}

/** The URL object of a server URL, or a ConnectionError that shows the form expected. */
export function parseServerUrl(url: string, protocols: readonly string[], engine: string, example: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConnectionError(`invalid ${engine} URL (expected ${example})`, 'EINVAL');
  }
  if (!protocols.includes(u.protocol)) {
    throw new ConnectionError(`not a ${engine} URL: ${u.protocol}// (expected ${example.split('//')[0]}//…)`, 'EINVAL');
  }
  return u;
}

/** A percent-encoded part of a URL (user, password, database), left as written when it does not decode. */
export function decodeUrlPart(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
