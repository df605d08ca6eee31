/** What the server drivers share about their connection URLs and connecting (Node only). */
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

/** A port number from a URL or the environment, or a ConnectionError. */
export function serverPort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new ConnectionError(`invalid port ${text}`, 'EINVAL');
  return port;
}

/** Why connecting failed, for the message: a timeout said plainly, the password never shown. */
export function connectFailureReason(err: unknown, password: string | undefined): string {
  const e = err as { message?: string; code?: string } | null | undefined;
  const message = e?.message ?? String(err);
  let reason =
    message === 'timeout expired' || e?.code === 'ETIMEDOUT' ? 'no answer within the connect timeout' : message;
  if (password && password.length >= 3) reason = reason.split(password).join('***');
  return reason;
}

/** The error a run gets when another run holds the lock past its wait: the same words on every server. */
export function lockTimeoutError(target: string, startedMs: number, holder: string): Error & { code: 'LOCK_TIMEOUT' } {
  const waited = (Date.now() - startedMs) / 1000;
  return Object.assign(
    new Error(
      `another moonwalk run holds the lock on ${target}; waited ${waited.toFixed(waited < 10 ? 1 : 0)} s` +
        (holder ? ` (${holder})` : ''),
    ),
    { code: 'LOCK_TIMEOUT' as const },
  );
}
