// Test runner settings: real sockets and child processes, so tests get generous time limits.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // `@wire/…` is server/wire/, as in tsconfig.json `paths` and web/vite.config.ts.
  resolve: { alias: { '@wire': fileURLToPath(new URL('./server/wire', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts', 'web/src/**/*.test.ts', 'web/src/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
