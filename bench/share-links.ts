/**
 * Share-link lengths (issue 4's target: ≤ 1,500 characters for the guide's example set) and the share codec's speed,
 * in node, with the page's own encoder (`encodeShare`, src/web/share.ts).
 *
 * - the guide's example set (bench/guide-example-set.ts, built from the guide at bench time): the link, and in the
 *   same run the peers on the same state as JSON (the v1/v2 payload): deflate-raw (zlib level 9) and brotli
 *   (quality 11), each + base64url, and v2 (deflate with the v2 preset dictionary, the previous format);
 * - informative: the page's default examples (the link the page itself made, measured by bench/browser.ts) and all
 *   of test/fixtures/guide/*.lua;
 * - encode and decode time of the guide's set and of 20 KB of migrations (medians; process CPU time, which moves less
 *   than wall time when other work shares the machine).
 * Lengths count the `#v…` part of the address (the origin comes on top).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, deflateRawSync } from 'node:zlib';
import { deflateSync } from 'fflate';
import { compress, decompress } from '../src/web/share-codec/codec.ts';
import { shareDictionaryV3 } from '../src/web/share-codec/dictionary-v3.ts';
import { base64urlEncode, decodeShare, encodeShare, MAX_JSON_BYTES, type SharedState } from '../src/web/share.ts';
import { shareDictionaryV2 } from '../src/web/share-dictionary.ts';
import { guideExampleSet, readGuide } from './guide-example-set.ts';
import { formatMs, formatRatio, median, type BenchRow } from './util.ts';

export const TARGET_SHARE_CHARS = 1500;

export interface ShareTarget {
  description: string;
  met: boolean;
  detail: string;
}

export interface ShareReport {
  rows: BenchRow[];
  targets: ShareTarget[];
  notes: string[];
}

const chars = (n: number) => `${n.toLocaleString('en-US')} chars`;

/** The v1/v2 payload of a state. */
function json(state: SharedState): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      f: state.files.map((f) => [f.name, f.text]),
      e: state.engine,
      ...(state.selected !== null ? { s: state.selected } : {}),
    }),
  );
}

/** `#` + the link, checked to decode back to the state. */
function linkLength(state: SharedState): number {
  const hash = encodeShare(state);
  const decoded = decodeShare(hash);
  if (!decoded.ok || JSON.stringify(decoded.state) !== JSON.stringify(state)) {
    throw new Error(`bench/share-links: the link of ${state.files.length} files does not decode back to them`);
  }
  return hash.length + 1;
}

/** Process CPU ms of `work`, median of `runs` (after one warm-up run). */
function cpuMs(work: () => unknown, runs: number): number {
  work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    work();
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000);
  }
  return median(samples);
}

function fixtureState(root: string): SharedState {
  const dir = join(root, 'test', 'fixtures', 'guide');
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.lua'))
    .sort();
  return {
    files: names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })),
    engine: 'sqlite',
    selected: names[0] ?? null,
  };
}

export function measureShareLinks(root: string, examplesLink: { files: number; chars: number } | null): ShareReport {
  const rows: BenchRow[] = [];
  const targets: ShareTarget[] = [];
  const notes: string[] = [];
  const row = (name: string, figure: string, ratio = '', target = '', met: boolean | null = null, spread = '') =>
    rows.push({ name, figure, spread, ratio, target, met });

  let guide: SharedState | null = null;
  try {
    const files = guideExampleSet(readGuide(root));
    guide = { files, engine: 'sqlite', selected: files[0].name };
  } catch (error) {
    notes.push(`share link of the guide's example set not measured: ${(error as Error).message}`);
  }
  if (guide) {
    const payload = json(guide);
    const deflate = `#v1.${base64urlEncode(deflateRawSync(payload, { level: 9 }))}`.length;
    const brotli =
      4 +
      base64urlEncode(
        brotliCompressSync(payload, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: payload.length },
        }),
      ).length;
    const v2 = `#v2.${base64urlEncode(deflateSync(payload, { level: 9, dictionary: shareDictionaryV2() }))}`.length;
    const link = linkLength(guide);
    const name = `share link, the guide's example set (${guide.files.length} files)`;
    const met = link <= TARGET_SHARE_CHARS;
    row(
      name,
      chars(link),
      `${formatRatio(link / deflate)} deflate, ${formatRatio(link / brotli)} brotli, ` + `${formatRatio(link / v2)} v2`,
      `≤ ${chars(TARGET_SHARE_CHARS)}`,
      met,
    );
    targets.push({
      description: `${name} within ${TARGET_SHARE_CHARS.toLocaleString('en-US')} characters`,
      met,
      detail: `${link} characters`,
    });
    row('  peer: deflate-raw (zlib level 9) + base64url, same JSON', chars(deflate));
    row('  peer: brotli (quality 11) + base64url, same JSON', chars(brotli));
    row('  previous format v2 (deflate + v2 dictionary)', chars(v2));
    notes.push(
      `the guide's example set: ${payload.length.toLocaleString('en-US')} bytes as JSON; peers are the same ` +
        'state as the v1/v2 JSON with the same 4-character prefix (#v1.)',
    );
  }

  const fixtures = fixtureState(root);
  const informative: Array<[string, number]> = [];
  if (examplesLink)
    informative.push([`share link, the page's default examples (${examplesLink.files} files)`, examplesLink.chars]);
  informative.push([`share link, test/fixtures/guide/*.lua (${fixtures.files.length} files)`, linkLength(fixtures)]);
  for (const [name, length] of informative) row(name, chars(length));

  // Speed: the guide's set, and the fixtures (about 20 KB as JSON).
  const timed: Array<[string, SharedState]> = [
    [`test/fixtures/guide (${(json(fixtures).length / 1000).toFixed(1)} KB as JSON)`, fixtures],
  ];
  if (guide) timed.unshift(["the guide's example set", guide]);
  for (const [label, state] of timed) {
    const hash = encodeShare(state);
    const encode = cpuMs(() => encodeShare(state), 5);
    const decode = cpuMs(() => decodeShare(hash), 5);
    row(
      `share link encode + decode, ${label}`,
      formatMs(encode + decode),
      '',
      '',
      null,
      `encode ${formatMs(encode)}, decode ${formatMs(decode)}`,
    );
  }
  const stream = compress(json(fixtures), shareDictionaryV3());
  const priming = cpuMs(() => decompress(stream, shareDictionaryV3().slice(), MAX_JSON_BYTES), 3);
  const warm = cpuMs(() => decompress(stream, shareDictionaryV3(), MAX_JSON_BYTES), 3);
  row('share codec: the first link of a page also primes the model', `+${formatMs(Math.max(0, priming - warm))}`);
  notes.push(
    'share encode/decode: process CPU time in node, median of 5 after a warm-up; the model primed with the v3 ' +
      'dictionary is kept and copied per link, so only the first link of a page pays for reading the dictionary',
  );
  return { rows, targets, notes };
}
