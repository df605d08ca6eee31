/**
 * `moonwalk play`'s HTTP server (node:http, 127.0.0.1 only): the built site, and the page's three calls:
 * - GET  api/session   the folder's `.lua` files (with their versions) and what the baseline is;
 * - GET  api/baseline  the baseline itself (a SQLite file's bytes, or a SQL dump's text);
 * - POST api/save      the page's edits, written back (src/cli/play/folder.ts); 409 with the conflicts.
 * Every request passes guard.ts first.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { checkRequest, isToken, TOKEN_HEADER, tokenCookie } from './guard.ts';
import { readFolder, saveFiles, type SaveRequest } from './folder.ts';
import { siteFile } from './site.ts';
import type { PlayBaseline } from './baseline.ts';

export interface PlayServerOptions {
  /** The migrations folder's real path, and how to name it to the person. */
  folder: string;
  folderLabel: string;
  site: string;
  token: string;
  baseline: PlayBaseline | null;
  /** Told each save (the command prints it). */
  onSave?(names: string[]): void;
}

/** A save bigger than this is refused (the page keeps at most 200 files of 200,000 characters). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The headers every answer carries: no caching of the page's data, no framing by other sites. */
const COMMON = { 'cache-control': 'no-store', 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' };

function send(response: ServerResponse, status: number, type: string, body: string | Uint8Array, extra = {}): void {
  response.writeHead(status, { ...COMMON, 'content-type': type, ...extra });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** The save request's files, checked as untrusted data; null when it is not that shape. */
function saveRequests(body: string): SaveRequest[] | null {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return null;
  }
  const files = (data as { files?: unknown } | null)?.files;
  if (!Array.isArray(files)) return null;
  const requests: SaveRequest[] = [];
  for (const f of files as unknown[]) {
    const { name, text, base } = (f ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof text !== 'string' || (base !== null && typeof base !== 'string'))
      return null;
    requests.push({ name, text, base });
  }
  return requests;
}

async function api(request: IncomingMessage, response: ServerResponse, path: string, options: PlayServerOptions) {
  const { baseline } = options;
  if (path === '/api/session' && request.method === 'GET') {
    return sendJson(response, 200, {
      folder: options.folderLabel,
      files: readFolder(options.folder),
      baseline:
        baseline === null
          ? null
          : {
              kind: baseline.kind,
              name: baseline.name,
              engine: baseline.kind === 'dump' ? baseline.engine : 'sqlite',
              notes: baseline.notes,
            },
    });
  }
  if (path === '/api/baseline' && request.method === 'GET') {
    if (baseline === null) return sendJson(response, 404, { message: 'moonwalk play was started without --from' });
    return baseline.kind === 'sqlite-file'
      ? send(response, 200, 'application/vnd.sqlite3', baseline.bytes)
      : send(response, 200, 'application/sql; charset=utf-8', baseline.text);
  }
  if (path === '/api/save' && request.method === 'POST') {
    const body = await readBody(request);
    const requests = body === null ? null : saveRequests(body);
    if (requests === null)
      return sendJson(response, 400, { ok: false, kind: 'refused', message: 'not a save request from the page' });
    const answer = saveFiles(options.folder, requests);
    if (answer.ok) options.onSave?.(answer.saved.map((f) => f.name));
    return sendJson(response, answer.ok ? 200 : answer.kind === 'conflict' ? 409 : 400, answer);
  }
  return sendJson(response, 404, { message: `no such call: ${request.method} ${path}` });
}

export function createPlayServer(options: PlayServerOptions, port: () => number): Server {
  return createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const verdict = checkRequest(request, url, port(), options.token);
      if (!verdict.ok) return send(response, verdict.status, 'text/plain; charset=utf-8', `${verdict.message}\n`);
      if (url.pathname.startsWith('/api/')) {
        // The page's own calls carry the token in a header, which no other site can make a browser send.
        if (!isToken(request.headers[TOKEN_HEADER], options.token))
          return send(response, 403, 'text/plain; charset=utf-8', 'the page sends the token with each call\n');
        return api(request, response, url.pathname, options);
      }
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return send(response, 405, 'text/plain; charset=utf-8', 'only GET\n');
      const file = siteFile(options.site, url.pathname);
      if (file === null) return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
      send(
        response,
        200,
        file.type,
        file.bytes,
        verdict.viaQuery ? { 'set-cookie': tokenCookie(port(), options.token) } : {},
      );
    })().catch(() => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'moonwalk play failed to answer\n');
      else response.end();
    });
  });
}
