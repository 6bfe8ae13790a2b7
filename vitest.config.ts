import { defineConfig } from 'vitest/config'

// One Vitest run, several projects. `npm test` (scripts/test.mjs) runs them in order:
// unit + web, then the integration suite once per DB_VARIANT, then the browser specs.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: [
            'packages/**/*.test.ts',
            'apps/{api,solver-service,cli}/**/*.test.ts',
            'tools/**/*.test.ts',
            'deploy/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: [
            '**/node_modules/**',
            '**/*.int.test.ts',
            '**/*.e2e.test.ts',
            '**/*.timing.test.ts',
          ],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Tests whose subject is timing (the load generator's schedule and measurements): run
        // on their own, one file at a time, after the unit stage, so other tests do not share
        // the two cores with them.
        test: {
          name: 'timing',
          environment: 'node',
          include: ['**/*.timing.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      'apps/web/vitest.config.ts',
      {
        test: {
          name: 'int',
          environment: 'node',
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['e2e/**/*.e2e.test.ts', 'tools/**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
