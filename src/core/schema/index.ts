/** Schema snapshot and diff (DESIGN.md §6). */
export * from './types.ts';
export { takeSnapshot } from './snapshot.ts';
export { diffSnapshots, objectKey } from './diff.ts';
export { renderDiff } from './render-diff.ts';
export { tableFingerprint, fnv1a64 } from './util.ts';
export { renderSnapshot } from './render-snapshot.ts';
export {
  compareEngineSnapshots,
  type EngineComparison,
  type EngineFinding,
  type EngineFindingKind,
} from './compare-engines.ts';
