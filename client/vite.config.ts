import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The client is served by the game server in production (`npm start`); in dev (`npm run dev:client`)
// Vite proxies the API and websockets to the server on 2567.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    port: 5173,
    proxy: {
      "/api": "http://localhost:2567",
      "/matchmake": "http://localhost:2567",
      "/healthz": "http://localhost:2567",
    },
  },
});
