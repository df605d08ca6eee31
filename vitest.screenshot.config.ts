import { defineConfig } from 'vitest/config';

// `npm run screenshot`: remakes docs/playground.png with the real page in headless Chromium.
export default defineConfig({
  test: { include: ['test/e2e/screenshot.run.ts'], testTimeout: 120_000 },
});
