import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web console's build: `npm run build:console` (run by `npm start`) writes dist/console, which
 * the local server serves at `/` and the CDK stack uploads to the site bucket. JSX goes through
 * Vite's own Oxc transform with Preact's automatic runtime: no plugin.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    // ELK's layout engine (1.6 MB) is one file loaded into a worker on the execution page only.
    chunkSizeWarningLimit: 2000,
  },
  // `npx vite --config web/vite.config.ts` beside `npm start`: live reload, API on the same origin.
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000', '/local': 'http://127.0.0.1:3000' },
  },
});
