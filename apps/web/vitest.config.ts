import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts'], environment: 'happy-dom' },
      },
      {
        extends: true,
        // The browser run needs the built server and page (turbo's test task depends on build).
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e-spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The page polls once a second and the machine is shared: give waits room, not fixed sleeps.
          expect: { poll: { timeout: 15_000, interval: 100 } },
        },
      },
    ],
  },
});
