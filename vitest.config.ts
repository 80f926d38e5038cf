import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "contracts/test/**/*.test.ts",
      "packages/*/src/**/*.test.ts",
      "apps/*/src/**/*.test.ts",
      "apps/*/test/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each test file starts its own anvil on a free port; two workers match the 2-core machines we run on.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
