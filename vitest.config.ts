import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The app's import aliases (svelte.config.js), so tests can load plain-TypeScript app modules.
const alias = {
  $doc: fileURLToPath(new URL('./src/lib/doc', import.meta.url)),
  $kernels: fileURLToPath(new URL('./kernels', import.meta.url)),
  $lib: fileURLToPath(new URL('./src/lib', import.meta.url))
};

// Three projects: `npm test` runs them all; `vitest run --project unit` runs one.
export default defineConfig({
  test: {
    projects: [
      { resolve: { alias }, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000
        }
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          // One browser at a time: the machine has two cores.
          fileParallelism: false
        }
      }
    ]
  }
});
