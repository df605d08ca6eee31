/**
 * `moonwalk lint` as the bin starts it: bin/moonwalk.js imports lib/lint.js, this file bundled alone with the command
 * line, the folder reader, the rules and the output, and nothing that runs migrations. A lint of a large folder is
 * mostly a cold start (process, module load, code not yet optimized), so it loads one module instead of a chain of
 * shared chunks (docs/decisions.md, "Lint speed").
 */
import { nodeIo, startCommand } from './command-io.ts';
import { lintCommand } from './lint-command.ts';
import { tuneV8ForShortRun } from './short-run-v8.ts';

/** Runs `moonwalk lint …` (argv[0] is `lint`); answers the exit code. */
export function lintMain(argv: string[]): number {
  tuneV8ForShortRun();
  const started = startCommand(argv, nodeIo);
  if (typeof started === 'number') return started;
  const { args, io, annotate } = started;
  if (args.command !== 'lint') throw new Error(`lintMain runs moonwalk lint, not moonwalk ${args.command}`);
  return lintCommand(args, io, annotate);
}
