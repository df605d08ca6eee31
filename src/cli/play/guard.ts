/**
 * Who may talk to `moonwalk play`: the page it printed the address of, and nothing else on the machine or the web.
 * - The server listens on 127.0.0.1 only, and the Host header must name it (a web page that rebinds its own DNS
 *   name to 127.0.0.1 sends its own name there).
 * - Every request carries the random token: the printed address has it in `?token=`; that first request sets it in
 *   an HttpOnly, SameSite=Strict cookie for the page's own assets, and the page's API calls send it in a header.
 * - A request whose Origin is another site's is refused, token or not (a browser always sends Origin on a POST).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { TOKEN_HEADER } from '../../core/play-protocol.ts';

export { TOKEN_HEADER };

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The cookie that carries the token for the page's own files; named by port (cookies do not tell ports apart). */
export const cookieName = (port: number): string => `moonwalk_play_${port}`;

/** Whether `a` is the token (compared in constant time). */
export function isToken(a: string | undefined | string[] | null, token: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(token);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: number; message: string };

/** Whether `request` may be answered: the right host, no other origin, and the token. */
export function checkRequest(request: IncomingMessage, url: URL, port: number, token: string): Verdict {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!hosts.includes(request.headers.host ?? ''))
    return { ok: false, status: 403, message: 'moonwalk play answers only at the address it printed' };
  const origin = request.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`))
    return {
      ok: false,
      status: 403,
      message: 'moonwalk play answers only its own page, not requests from other sites',
    };
  const viaQuery = isToken(url.searchParams.get('token'), token);
  const header = request.headers[TOKEN_HEADER];
  if (viaQuery || isToken(header, token) || isToken(cookie(request, cookieName(port)), token))
    return { ok: true, viaQuery };
  return {
    ok: false,
    status: 403,
    message: 'this address needs the token moonwalk play printed: open the whole address it printed (with ?token=…)',
  };
}

/** The cookie that lets the page load its own files once the address with the token was opened. */
export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
