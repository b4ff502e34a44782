import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The web page: web/ is built into dist/page, which functions/httpPage.ts serves (from source and compiled).
const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: "/",
  publicDir: path.join(here, "public"),
  // Preact's JSX runtime (no React); the page is only built, never served by Vite's dev server in the app.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: path.join(here, "..", "dist", "page"),
    emptyOutDir: true,
    target: "es2022",
    // No data: URLs or inline assets: everything is a file the Content-Security-Policy allows as 'self'.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 300,
  },
  logLevel: "warn",
});
