import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

// `npm run dev` proxies the API to a running `npm start`, so the page and the server share one origin as in production.
const api = process.env['HOTEND_URL'] ?? 'http://localhost:5000';

/** Writes `.gz` and `.br` twins of the text files, which the server sends to browsers that accept them. */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'hotend-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
          entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
        );
      for (const file of walk(outDir).filter((name) => /\.(js|css|html|svg)$/.test(name))) {
        const body = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

export default defineConfig({
  plugins: [svelte(), precompress()],
  build: { target: 'es2022', sourcemap: false, reportCompressedSize: false },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/plugin', '/downloads', '/sockjs'].map((path) => [path, { target: api, ws: true }]),
    ),
  },
});
