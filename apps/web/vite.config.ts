import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// `vite build` writes dist/ (served by `rere start` with an SPA fallback).
// VITE_API_BASE_URL (build time) points the app at another origin; same origin by default.
// `vite` (dev server) proxies /api to RERE_API_URL (default http://127.0.0.1:8080).
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/api': process.env.RERE_API_URL ?? 'http://127.0.0.1:8080' },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
})
