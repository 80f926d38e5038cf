import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** Vite config of the Tributary web app: plain React through esbuild's JSX transform, built into dist/. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite apps/web` during development: the API is the node on 8787.
    proxy: { "/v1": "http://127.0.0.1:8787", "/health": "http://127.0.0.1:8787" },
  },
});
