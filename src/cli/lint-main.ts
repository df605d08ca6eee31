/**
 * `moonwalk lint` as the bin starts it: bin/moonwalk.js imports lib/lint.js, this file bundled alone with the command
 * line, the folder reader, the rules and the output, and nothing that runs migrations. A lint of a large folder is
 * mostly a cold start (process, module load, code not yet optimized), so it loads one module instead of a chain of
 * shared chunks (docs/decisions.md, "Lint speed").
 */
import { setFlagsFromString } from 'node:v8';
import { nodeIo, startCommand } from './command-io.ts';
import { lintCommand } from './lint-command.ts';

/**
 * V8's optimizing compiler, tuned for a process that lives half a second: in a cold lint of 1,000 files TurboFan's
 * background compiles were 40% of all instructions, big rule functions compiled with everything inlined, most of
 * them done too late to pay back. Less inlining and a later start cut the whole run by about 15% (callgrind,
 * docs/decisions.md). Set only on the V8 this was measured on (Node 20's 11.x): later ones (Maglev, other defaults)
 * keep theirs, and a flag a V8 does not know is an error it prints.
 */
const SHORT_RUN_V8_FLAGS = ['--max-inlined-bytecode-size-cumulative=100', '--interrupt-budget=270336'];

/** Runs `moonwalk lint …` (argv[0] is `lint`); answers the exit code. */
export function lintMain(argv: string[]): number {
  if (process.versions.v8.startsWith('11.')) for (const flag of SHORT_RUN_V8_FLAGS) setFlagsFromString(flag);
  const started = startCommand(argv, nodeIo);
  if (typeof started === 'number') return started;
  const { args, io, annotate } = started;
  if (args.command !== 'lint') throw new Error(`lintMain runs moonwalk lint, not moonwalk ${args.command}`);
  return lintCommand(args, io, annotate);
}
