// How each engine spells types and defaults, reduced to their meaning (src/core/schema/engine-spelling.ts).
import { describe, expect, test } from 'vitest';
import { defaultMeaning, defaultsDiffer, sameFamily, typeFamily } from '../../src/core/schema/engine-spelling.ts';

describe('typeFamily', () => {
  test.each([
    ['INTEGER', 'integer'],
    ['int4', 'integer'],
    ['bigint', 'integer'],
    ['UNSIGNED BIG INT', 'integer'],
    ['serial', 'integer'],
    ['TEXT', 'text'],
    ['varchar(40)', 'text'],
    ['character varying(10)', 'text'],
    ['NVARCHAR(100)', 'text'],
    ['character(1)', 'text'],
    ['REAL', 'number'],
    ['double precision', 'number'],
    ['numeric(10,2)', 'number'],
    ['DOUBLE FLOAT', 'number'],
    ['BLOB', 'bytes'],
    ['bytea', 'bytes'],
    ['BOOLEAN', 'boolean'],
    ['tinyint(1)', 'boolean'],
    ['DATETIME', 'timestamp'],
    ['timestamp with time zone', 'timestamp'],
    ['date', 'date'],
    ['jsonb', 'json'],
    ['integer[]', 'array'],
    ['', 'any'],
    ['mood', 'other'],
  ])('%s is %s', (type, family) => {
    expect(typeFamily(type)).toBe(family);
  });

  test('types outside the known families match only by name', () => {
    expect(sameFamily('mood', 'MOOD')).toBe(true);
    expect(sameFamily('mood', 'colour')).toBe(false);
    expect(sameFamily('integer[]', 'text[]')).toBe(false);
    expect(sameFamily('INT', 'bigint')).toBe(true);
  });
});

describe('defaults', () => {
  test.each([
    ["'x'::text", { kind: 'constant', value: 'x' }],
    ["'it''s'", { kind: 'constant', value: "it's" }],
    ['(0)', { kind: 'constant', value: '0' }],
    ["'-1'::integer", { kind: 'constant', value: '-1' }],
    ['false', { kind: 'constant', value: '0' }],
    ['NULL::character varying', { kind: 'none' }],
    ["nextval('users_id_seq'::regclass)", { kind: 'sequence' }],
    ['CURRENT_TIMESTAMP', { kind: 'now' }],
    ["strftime('%s', 'now')", { kind: 'now' }],
    ['EXTRACT(epoch FROM now())::integer', { kind: 'now' }],
    ['gen_random_uuid()', { kind: 'expression', text: 'gen_random_uuid()' }],
  ] as const)('%s', (text, meaning) => {
    expect(defaultMeaning(text)).toEqual(meaning);
  });

  test('constants compare as text, numbers or booleans; two expressions are not compared', () => {
    const differ = (a: string | null, b: string | null) => defaultsDiffer(defaultMeaning(a), defaultMeaning(b));
    expect(differ('0', "'0'::numeric")).toBe(false);
    expect(differ('1.50', '1.5')).toBe(false);
    expect(differ('1', 'true')).toBe(false);
    expect(differ("'basic'", "'gold'::text")).toBe(true);
    expect(differ('0', null)).toBe(true);
    expect(differ('CURRENT_TIMESTAMP', "'2024-01-01'")).toBe(true);
    expect(differ('random()', 'gen_random_uuid()')).toBe(false);
  });
});
