import { describe, expect, test } from 'vitest';
import type { RunError } from '../../src/core/results.ts';
import { blockLine, withBlockLine } from '../../src/web/worker/block-line.ts';

const SOURCE = [
  'return require("migration").define(function()',
  '    migration("Two engines", function()',
  '        -- database("sqlite") below',
  "        database ( 'postgres' , function()",
  '            up(function(db) end)',
  '        end)',
  '        database("sqlite", function()',
  '            up(function(db) end)',
  '        end)',
  '    end)',
  'end)',
].join('\n');

const noDown: RunError = {
  code: 'not_revertible',
  migration: '0002_two',
  phase: 'down',
  file: '0002_two.lua',
  message: '0002_two cannot be reverted: its database("sqlite") block has no down(function(db) ... end)',
};
const files = [{ id: '0002_two', file: '0002_two.lua', source: SOURCE, checksum: '' }];

describe("a missing down's line", () => {
  test("the line of the engine's block, whatever the quotes and spaces; none when there is no such block", () => {
    expect(blockLine(SOURCE, 'postgres')).toBe(4);
    expect(blockLine(SOURCE, 'mysql')).toBeUndefined();
  });

  test('is added to a missing-down error only, and never over a line the error has', () => {
    expect(withBlockLine(noDown, files, 'sqlite')).toEqual({ ...noDown, line: 7 });
    expect(withBlockLine({ ...noDown, line: 2 }, files, 'sqlite').line).toBe(2);
    expect(withBlockLine({ ...noDown, phase: 'check' }, files, 'sqlite').line).toBeUndefined();
    expect(withBlockLine({ ...noDown, migration: '0009_other' }, files, 'sqlite').line).toBeUndefined();
    expect(withBlockLine(null, files, 'sqlite')).toBeNull();
  });
});
