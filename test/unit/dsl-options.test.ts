/** `options{ ... }` in a database block (DESIGN §1): what it accepts, and the load errors for everything else. */
import { describe, expect, test } from 'vitest';
import { LuaHost } from '../../src/core/lua/host.ts';
import { LoadError } from '../../src/core/lua/failures.ts';

const host = new LuaHost();

/** A file whose `engine` block starts with `body` (on line 4) and has an empty up. */
function file(body: string, engine = 'postgres'): string {
  return [
    'return require("migration").define(function()',
    '  migration("x", function()',
    `    database("${engine}", function()`,
    body,
    '      up(function(db) end)',
    '    end)',
    '  end)',
    'end)',
  ].join('\n');
}

function loadError(source: string): { line?: number; message: string } {
  try {
    host.compile('0001_x.lua', source);
  } catch (error) {
    if (error instanceof LoadError) return error.failure;
    throw error;
  }
  throw new Error('the file loaded');
}

describe('options{}', () => {
  test('is read per block; files without it have no options', () => {
    const compiled = host.compile(
      '0001_x.lua',
      file('options{ transaction = false, lock_timeout = "5s", statement_timeout = "1min" }'),
    );
    expect(compiled.blocks.postgres!.options).toEqual({
      transaction: false,
      lockTimeout: '5s',
      statementTimeout: '1min',
    });
    expect(host.compile('0002_x.lua', file('')).blocks.postgres!.options).toBeUndefined();
    expect(host.compile('0003_x.lua', file('options{ transaction = false }', 'sqlite')).blocks.sqlite!.options).toEqual(
      {
        transaction: false,
      },
    );
  });

  test.each([
    ['options{ transactoin = false }', /unknown option transactoin .*transaction, lock_timeout or statement_timeout/],
    ['options{ transaction = false } options{ lock_timeout = "1s" }', /called twice in database\("postgres"\)/],
    ['options{ transaction = "no" }', /must be true or false, got a string/],
    ['options{ lock_timeout = 5 }', /duration string such as "5s".*got a number/],
    ['options{ statement_timeout = "5 parsecs" }', /duration string.*got "5 parsecs"/],
    ['options(true)', /expects a table/],
  ])('%s is a load error on its line', (body, message) => {
    const failure = loadError(file(body));
    expect(failure.line).toBe(4);
    expect(failure.message).toMatch(message);
  });

  test.each(['sqlite', 'mysql'])('timeouts are refused on %s, which has none', (engine) => {
    const failure = loadError(file('options{ lock_timeout = "5s" }', engine));
    expect(failure.line).toBe(4);
    expect(failure.message).toMatch(new RegExp(`not supported on ${engine}: only PostgreSQL has lock_timeout`));
  });

  test('outside a database block it is a load error, and it is gone after define', () => {
    const outside = loadError(
      'return require("migration").define(function() migration("x", function() options{} end) end)',
    );
    expect(outside.message).toMatch(/must be called inside a database/);
    const after = loadError(
      'local m = require("migration"); m.define(function() migration("x", function() database("sqlite", function() up(function() end) end) end) end)\noptions{}',
    );
    expect(after.line).toBe(2);
  });
});
