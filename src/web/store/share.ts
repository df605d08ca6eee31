/**
 * Sharing: a link that holds the files (made with Share, opened in a new tab or pasted into this one), and keeping
 * the address bar honest once the files no longer match it.
 */
import { plural } from '../../core/plural.ts';
import { sortFiles } from '../files.ts';
import type { DecodeResult } from '../share.ts';
import { ENGINE_LABELS, type LinkBaseline } from '../worker/protocol.ts';
import type { Ctx } from './context.ts';
import { OWN_FILES_KEPT, withLog, withProblem } from './log.ts';
import type { PlaygroundState } from './state.ts';
import { replaceFiles } from './workspace.ts';
import { loadLinkBaseline } from './own-database.ts';

/**
 * The SQL of a starting database a link carries at most (its schema always; rows up to this): the link's codec packs
 * about 100 KB in a second and into some 20,000 to 40,000 characters, well inside a link.
 */
export const LINK_BASELINE_BUDGET = 100_000;

/** The current engine's starting database as a link carries it (`budget` characters of rows), or null. */
async function linkBaseline(ctx: Ctx, budget: number): Promise<LinkBaseline | null> {
  if (!ctx.get().baselines[ctx.get().engine]) return null;
  try {
    return (await ctx.client().request({ type: 'link-baseline', budget })).baseline;
  } catch {
    return null;
  }
}

/**
 * The share-link codec (src/web/share.ts, with its compression model and dictionary) is fetched only when a link is
 * opened or made: most loads have no link, and it is not needed before "SQLite ready".
 */
const shareCodec = () => import('../share.ts');
const CODEC_UNAVAILABLE =
  'The share-link reader could not be downloaded (offline, or the site was updated): reload ' +
  'the page to try again.';

/** A link decoded, or refused with a message (also when the codec itself cannot be fetched). */
export async function decodeLink(hash: string): Promise<DecodeResult> {
  let codec: Awaited<ReturnType<typeof shareCodec>>;
  try {
    codec = await shareCodec();
  } catch {
    return { ok: false, message: `${CODEC_UNAVAILABLE} Nothing was loaded.` };
  }
  return codec.decodeShare(hash);
}

export async function share(ctx: Ctx): Promise<void> {
  const { files, engine, selected } = ctx.get();
  let codec: Awaited<ReturnType<typeof shareCodec>>;
  try {
    codec = await shareCodec();
  } catch {
    ctx.update(() => ({ alert: { message: CODEC_UNAVAILABLE } }));
    return;
  }
  const { encodeShare, MAX_HASH_CHARS } = codec;
  let baseline = await linkBaseline(ctx, LINK_BASELINE_BUDGET);
  let hash = encodeShare({ files, engine, selected, baseline });
  if (hash.length > MAX_HASH_CHARS && baseline) {
    // The rows made it too long: the schema alone.
    baseline = await linkBaseline(ctx, 0);
    hash = encodeShare({ files, engine, selected, baseline });
  }
  if (hash.length > MAX_HASH_CHARS) {
    ctx.update(() => ({
      alert: {
        message: `These migrations are too large for a share link (${hash.length.toLocaleString('en-US')} characters; at most ${MAX_HASH_CHARS.toLocaleString('en-US')}).`,
      },
    }));
    return;
  }
  const { surroundings } = ctx;
  surroundings.replaceHash(`#${hash}`);
  ctx.update(() => ({ sharedHash: surroundings.hash() }));
  const href = surroundings.href();
  const copied = await surroundings.copy(href);
  ctx.debounce('share-note', 4000, () => ctx.update(() => ({ shareNote: null })));
  const carried = baseline
    ? baseline.rowsLeftOut > 0
      ? `It carries your starting database, ${baseline.name}, without all its data: ${plural(baseline.rowsLeftOut, 'row')} left out (a link holds its schema and about ${LINK_BASELINE_BUDGET / 1000} KB of rows).`
      : `It carries your starting database, ${baseline.name}, schema and data.`
    : '';
  ctx.update((s) => ({
    shareNote: copied ? 'Link copied' : 'Link in the address bar',
    ...(baseline && baseline.rowsLeftOut > 0 ? { notice: carried } : {}),
    ...withLog(s, {
      kind: 'ok',
      text: `Share link ready in the address bar${copied ? ' and copied to the clipboard' : ''} (${href.length.toLocaleString('en-US')} characters). Opening it shows the code and runs nothing.${carried ? ` ${carried}` : ''}`,
    }),
  }));
}

/**
 * Replaces the files with a link's (a hash pasted into this tab), or with the edits this browser kept of it; the
 * database starts from the link's starting database, or empty.
 */
export async function openLink(ctx: Ctx, hash: string): Promise<void> {
  const decoded = await decodeLink(hash);
  const edited = ctx.surroundings.editedLink(hash);
  if (!decoded.ok && !edited) {
    ctx.update((s) => withProblem(s, decoded.message));
    return;
  }
  const state = edited ?? (decoded.ok ? decoded.state : null);
  if (state === null) return;
  const files = sortFiles(state.files);
  await replaceFiles(ctx, files, 'a shared link', {
    engine: state.engine,
    selected: state.selected ?? files[0]?.name ?? null,
    workspace: 'link',
  });
  ctx.update(() => ({ sharedHash: hash }));
  const baseline = decoded.ok ? decoded.state.baseline : null;
  if (baseline) await loadLinkBaseline(ctx, baseline);
}

/** The page was opened with a share link (or a broken one): said in the log. */
export function greetLink(ctx: Ctx): void {
  ctx.update((s) => {
    if (s.sharedHash)
      return withLog(s, {
        kind: 'info',
        text: `Opened a shared link: ${plural(s.files.length, 'file')} for ${ENGINE_LABELS[s.engine]}. Nothing has run: press Apply next or Apply all to run them. ${OWN_FILES_KEPT}`,
      });
    return s.alert ? withLog(s, { kind: 'error', text: s.alert.message }) : {};
  });
  if (ctx.get().alert && ctx.surroundings.hash()) ctx.surroundings.replaceHash(null);
}

/**
 * After any update: the link in the address bar no longer matches once the person's own files or engine change. A
 * share link's files keep their address: it is what tells them apart from the person's own.
 */
export function followAddress(ctx: Ctx, state: PlaygroundState, previous: PlaygroundState): void {
  if (state.workspace === 'link') return;
  if (state.files === previous.files && state.engine === previous.engine) return;
  const hash = ctx.surroundings.hash();
  if (!state.sharedHash || hash !== state.sharedHash) return;
  ctx.surroundings.replaceHash(null);
  ctx.update(() => ({ sharedHash: '' }));
}

/** A hash the person pasted into this tab: a link to open, unless it is the one already shown. */
export function addressChanged(ctx: Ctx): void {
  const hash = ctx.surroundings.hash();
  if (hash.length > 1 && hash !== ctx.get().sharedHash) void openLink(ctx, hash);
}
