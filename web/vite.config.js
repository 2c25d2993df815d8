// Builds the console into dist/ for cmake/EmbedFiles.cmake to compile into the binary.
//
// Every emitted file name must be a literal route path for the server's Router: letters, digits, '/', '_'
// and '-' only, no dot. So files are named assets/<kind>/<name>-<hash> without an extension; the server
// takes the Content-Type from <kind> (js, css, svg). Names are hashed, so the server lets browsers cache
// them for good; index.html, which names them, is revalidated on every load.
import { defineConfig } from 'vite';

const safe = (name) => (name || 'file').replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]/g, '_');

// `npm run dev` serves the page with hot reload and forwards the API to a running `superstore serve`.
const api = process.env.SUPERSTORE_URL || 'http://127.0.0.1:8000';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    target: 'es2022',
    // No data: URLs: the Content-Security-Policy allows only files from the server itself.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    rollupOptions: {
      output: {
        entryFileNames: (chunk) => `assets/js/${safe(chunk.name)}-[hash]`,
        chunkFileNames: (chunk) => `assets/js/${safe(chunk.name)}-[hash]`,
        assetFileNames: (asset) => {
          const original = (asset.names && asset.names[0]) || 'file';
          const ext = (original.match(/\.([A-Za-z0-9]+)$/) || [, 'bin'])[1].toLowerCase();
          return `assets/${ext}/${safe(original)}-[hash]`;
        },
      },
    },
  },
  server: {
    proxy: Object.fromEntries(['/auth', '/databases', '/table', '/execute', '/dev', '/health'].map((p) => [p, api])),
  },
});
