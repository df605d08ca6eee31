/** What each simple backslash escape of a Lua string stands for (`\n`, `\t`, `\"`, …), for readers of Lua text. */
export const LUA_SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};
