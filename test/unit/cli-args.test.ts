import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseArgs, UsageError, type FlagsOf } from '../../src/cli/args.ts';

describe('parseArgs', () => {
  it('reads each flag by its kind', () => {
    expect(parseArgs(['up', '--step', '2', '--json', '--db=sqlite:a.db', '--lock-timeout', '1.5'])).toEqual({
      command: 'up',
      flags: { step: 2, json: true, db: 'sqlite:a.db', 'lock-timeout': 1.5 },
      positional: [],
    });
  });

  it('gives each command the flags it takes, typed', () => {
    const args = parseArgs(['verify', '--engine', 'postgres']);
    expect(args.command === 'verify' && args.flags.engine).toBe('postgres');
    expectTypeOf<FlagsOf<'verify'>['engine']>().toEqualTypeOf<'sqlite' | 'postgres' | undefined>();
    expectTypeOf<FlagsOf<'up'>['step']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<FlagsOf<'down'>['all']>().toEqualTypeOf<true | undefined>();
    expectTypeOf<FlagsOf<'status'>>().not.toHaveProperty('step');
  });

  it('refuses a flag another command takes, and a value outside a flag’s choices', () => {
    expect(() => parseArgs(['status', '--step', '1'])).toThrow(
      new UsageError('unknown option --step for "moonwalk status"'),
    );
    expect(() => parseArgs(['verify', '--engine', 'mysql'])).toThrow(
      new UsageError('--engine must be sqlite or postgres, not "mysql"'),
    );
  });
});

describe('the CI recipes of docs/ci.md', () => {
  it('use only command lines moonwalk accepts', () => {
    const text = readFileSync(new URL('../../docs/ci.md', import.meta.url), 'utf8');
    const lines = [...text.matchAll(/npx moonwalk ([^`\n>]+)/g)].map((m) => m[1].trim());
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines) expect(() => parseArgs(line.split(/\s+/)), line).not.toThrow();
  });
});
