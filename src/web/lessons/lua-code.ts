/**
 * A Lua file's code without its comments, each string literal (quoted or long) replaced by `S`: what a lesson's
 * checks search for calls, so that a call named in a comment or inside SQL text does not count.
 */
export function codeOnly(source: string): string {
  let out = '';
  let i = 0;
  const longEnd = (at: number): { close: string; length: number } | null => {
    const m = /^\[(=*)\[/.exec(source.slice(at, at + 64));
    return m ? { close: `]${m[1]}]`, length: m[0].length } : null;
  };
  while (i < source.length) {
    const c = source[i];
    if (c === '-' && source[i + 1] === '-') {
      const long = longEnd(i + 2);
      if (long) {
        const end = source.indexOf(long.close, i + 2 + long.length);
        i = end < 0 ? source.length : end + long.close.length;
      } else {
        const end = source.indexOf('\n', i);
        i = end < 0 ? source.length : end;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      out += 'S';
      i = j + 1;
      continue;
    }
    if (c === '[') {
      const long = longEnd(i);
      if (long) {
        const end = source.indexOf(long.close, i + long.length);
        out += 'S';
        i = end < 0 ? source.length : end + long.close.length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}
