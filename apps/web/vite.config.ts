import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { compression } from 'vite-plugin-compression2'

// `vite build` writes dist/ (served by `rere start` with an SPA fallback), with a gzip and a
// brotli copy of every text asset over 1 KiB, which `rere start` (and nginx's gzip_static) send
// to browsers that accept them.
// VITE_API_BASE_URL (build time) points the app at another origin; same origin by default.
// `vite` (dev server) proxies /api to RERE_API_URL (default http://127.0.0.1:8080).
export default defineConfig({
  plugins: [react(), compression({ algorithms: ['gzip', 'brotliCompress'], threshold: 1024 })],
  server: {
    proxy: { '/api': process.env.RERE_API_URL ?? 'http://127.0.0.1:8080' },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
})
