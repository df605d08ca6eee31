/** "1 migration", "3 migrations": a count and its word, for messages (English, plural by `s`). */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
