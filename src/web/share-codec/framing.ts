/**
 * The text a v3 share link compresses: the playground's state written plainly, so that the model sees the files as
 * they are (JSON would escape every newline and quote of the code):
 *
 *     <engine> <selected: 1-based index into the files, 0 for none>[ b]\n
 *     <name>\n<text>\0        (with " b": first the starting database, its name and its text; then once per file)
 *
 * A NUL or SOH inside a text is written as SOH "0" or SOH "1". Reading is strict: anything else (a missing field, an
 * index past the list, an SOH followed by anything but "0"/"1") is refused, so each state has exactly one framing.
 */

export interface FramedState {
  engine: string;
  files: Array<[name: string, text: string]>;
  /** The selected file's name, or null. */
  selected: string | null;
  /** The starting database carried along (its name, and a text of the link's own making), if any. */
  baseline?: [name: string, text: string] | null;
}

const NUL = '\u0000';
const SOH = '\u0001';

export function frame(state: FramedState): string {
  const index = state.selected === null ? 0 : state.files.findIndex(([name]) => name === state.selected) + 1;
  let out = `${state.engine} ${index}${state.baseline ? ' b' : ''}\n`;
  for (const [name, text] of state.baseline ? [state.baseline, ...state.files] : state.files) {
    out += `${name}\n${text.replace(/[\u0000\u0001]/g, (c) => (c === NUL ? `${SOH}0` : `${SOH}1`))}${NUL}`;
  }
  return out;
}

/** null when `text` is not a framing that `frame` writes. */
export function unframe(text: string): FramedState | null {
  const header = /^([a-z]+) (0|[1-9][0-9]{0,5})( b)?\n/.exec(text);
  if (!header) return null;
  const files: Array<[string, string]> = [];
  let at = header[0].length;
  while (at < text.length) {
    const end = text.indexOf(NUL, at);
    if (end < 0) return null;
    const entry = text.slice(at, end); // searched alone, so that the whole parse stays linear
    const nameEnd = entry.indexOf('\n');
    const body = nameEnd < 0 ? null : unescape(entry.slice(nameEnd + 1));
    if (body === null) return null;
    files.push([entry.slice(0, nameEnd), body]);
    at = end + 1;
  }
  const baseline = header[3] ? (files.shift() ?? null) : null;
  if (header[3] && baseline === null) return null;
  const index = Number(header[2]);
  if (index > files.length) return null;
  return {
    engine: header[1],
    files,
    selected: index === 0 ? null : files[index - 1][0],
    ...(baseline ? { baseline } : {}),
  };
}

function unescape(text: string): string | null {
  if (!text.includes(SOH)) return text;
  if (/\u0001(?![01])/.test(text)) return null;
  return text.replace(/\u0001[01]/g, (pair) => (pair === `${SOH}0` ? NUL : SOH));
}
