// The core's errors carry a code and no flag; the command and the page each phrase the way out for their users.
import { describe, expect, test } from 'vitest';
import { forCommand, verifyEntryForCommand } from '../../src/cli/remedies.ts';
import type { RunError, RunErrorCode } from '../../src/core/results.ts';
import { forPage } from '../../src/web/worker/remedies.ts';

const error = (code: RunErrorCode, message: string): RunError => ({
  code,
  migration: '0001_a',
  phase: 'check',
  message,
});

describe('the command', () => {
  test('names the flag that lifts each refusal and limit', () => {
    expect(forCommand(error('dry_run_refused', 'a dry run is refused on mysql: …'), 'mysql').message).toBe(
      '--dry-run is refused on mysql: it commits DDL implicitly, so nothing could be rolled back',
    );
    expect(forCommand(error('single_transaction_refused', 'x'), 'mysql').message).toMatch(
      /^--single-transaction is refused on mysql:/,
    );
    expect(forCommand(error('modified', '0001_a.lua changed'), 'sqlite').message).toBe(
      '0001_a.lua changed. Restore the applied version and put the change in a new migration, or pass --allow-drift to accept it',
    );
    expect(forCommand(error('missing', 'gone'), 'sqlite').message).toMatch(
      /^gone\. Restore the file, or pass --allow-drift/,
    );
    expect(forCommand(error('instruction_limit', 'stopped'), 'sqlite').message).toMatch(
      /^stopped; .*--max-instructions/,
    );
    expect(forCommand(error('time_limit', 'stopped'), 'sqlite').message).toMatch(/^stopped; .*--max-lua-seconds/);
  });

  test('leaves an error without a remedy as it is', () => {
    const engine = error('engine', 'no such table: t');
    expect(forCommand(engine, 'sqlite')).toBe(engine);
  });

  test('says where to verify a migration that sorts before an applied one', () => {
    const entry = {
      id: 'a',
      reversible: false,
      differences: [],
      code: 'applied_after' as const,
      error: 'cannot verify a',
    };
    expect(verifyEntryForCommand(entry, 'sqlite').error).toBe('cannot verify a (leave out --db)');
  });
});

describe('the page', () => {
  test('speaks of its buttons and never of a flag', () => {
    for (const code of ['modified', 'missing', 'instruction_limit', 'time_limit'] as const) {
      const shown = forPage(error(code, 'what happened'));
      expect(shown.message.startsWith('what happened')).toBe(true);
      expect(shown.message.length).toBeGreaterThan('what happened'.length);
      expect(shown.message).not.toMatch(/--[a-z]/);
    }
    expect(forPage(error('modified', 'x')).message).toMatch(/Revert it \(Revert last and Redo/);
  });
});
