import { defineConfig } from 'vitest/config';

// Integration tests start real emulators on loopback ports; two cores only,
// so files run in a small fork pool and get generous (non-asserted) timeouts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
