/**
 * Vitest globalSetup: builds the playground once, before any test file runs, so the end-to-end files (which run in
 * parallel) find dist-web/ ready instead of racing each other into `vite build`.
 */
import { ensureBuilt } from './harness.ts';

export default function setup(): void {
  ensureBuilt();
}
