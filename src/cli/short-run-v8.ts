/**
 * V8's optimizing compiler, tuned for `moonwalk lint`, a process that lives well under a second and runs no user code.
 * TurboFan's background compiles of big functions (lint's rules and parser) were a large share of all instructions,
 * with everything inlined and most done too late to pay back: less inlining and a later start cut a cold lint of
 * 1,000 files by about 15% (callgrind instructions, docs/decisions.md). Not used for the worker that runs migrations:
 * there a migration whose Lua loops for seconds ran about 20% slower under these flags, for about 10% less CPU on a
 * cold 1,000-file load. Set only on the V8 this was measured on (Node 20's 11.x): later ones (Maglev, other defaults)
 * keep theirs, and a flag a V8 does not know is an error it prints.
 */
import { setFlagsFromString } from 'node:v8';

const SHORT_RUN_V8_FLAGS = ['--max-inlined-bytecode-size-cumulative=100', '--interrupt-budget=270336'];

export function tuneV8ForShortRun(): void {
  if (process.versions.v8.startsWith('11.')) for (const flag of SHORT_RUN_V8_FLAGS) setFlagsFromString(flag);
}
