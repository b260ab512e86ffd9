// Vite build config: emits the single-page app into frontend/dist, served by the Rust server at `/`.
import { defineConfig } from 'vite'

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm run dev` proxies the API and sockets to a locally running server (REELROOM_URL).
    proxy: process.env.REELROOM_URL
      ? {
          '/api': process.env.REELROOM_URL,
          '/sync': { target: process.env.REELROOM_URL, ws: true },
          '/control': { target: process.env.REELROOM_URL, ws: true },
        }
      : undefined,
  },
})
