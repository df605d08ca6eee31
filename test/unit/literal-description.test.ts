/**
 * `status` reads a pending file's description from its text (src/core/lua/literal-description.ts): the literal of its
 * migration("…", …) call in every way Lua writes a string, past comments and strings that mention it; null where only
 * running the code would tell, so that the command runs it under the worker's caps instead.
 */
import { expect, test } from 'vitest';
import { literalDescription } from '../../src/core/lua/literal-description.ts';
import { lua } from '../helpers/lua-files.ts';

const wrap = (call: string, before = '') =>
  `${before}\nreturn require("migration").define(function()\n  ${call}\n    database("sqlite", function() up(function(db) end) end)\n  end)\nend)\n`;

test.each([
  ['a double-quoted literal', wrap('migration("create users", function()'), 'create users'],
  ['a single-quoted literal with escapes', wrap(`migration('it\\'s \\"x\\"\\tdone', function()`), 'it\'s "x"\tdone'],
  ['a long string', wrap('migration([==[multi\nline]]==], function()'), 'multi\nline]'],
  ['a long string dropping its first line break', wrap('migration([[\nfirst]], function()'), 'first'],
  [
    'after comments and strings that mention migration(',
    wrap(
      'migration( --[[ migration("no") ]] "yes" -- migration("no")\n, function()',
      '-- migration("no")\nlocal s = "migration(\\"no\\")"',
    ),
    'yes',
  ],
  [
    'a top-level memory bomb before it (never run)',
    wrap('migration("bomb", function()', 'local t = {} for i = 1, 1e9 do t[i] = string.rep("x", 1e6) end'),
    'bomb',
  ],
  ['the helper of the test files', lua({ up: '', description: 'from the helper' }), 'from the helper'],
  ['non-ASCII text', wrap('migration("créer les tables ✓", function()'), 'créer les tables ✓'],
])('%s', (_label, source, expected) => {
  expect(literalDescription(source)).toBe(expected);
});

test.each([
  ['built by code', wrap('migration("v" .. 2, function()')],
  ['a call of a function', wrap('migration(name(), function()')],
  ['a variable', wrap('migration(description, function()')],
  ['a numeric escape', wrap('migration("\\65", function()')],
  ['an unterminated string', 'migration("never closed'],
  ['no migration call', 'return {}'],
  ['a field called migration', wrap('m.migration("no", function()')],
])('null when only the code can tell: %s', (_label, source) => {
  expect(literalDescription(source)).toBeNull();
});
