/**
 * `npm start`: the game and its server on one port (PORT, default 2567), sessions stored under
 * DATA_DIR (default ./data). SIGTERM or Ctrl-C saves every session before exiting.
 */
import { resolve } from "node:path";
import { createArena } from "./app.js";
import { log } from "./log.js";

const port = Number(process.env.PORT ?? 2567);
const arena = createArena({
  dataDir: resolve(process.env.DATA_DIR ?? "data"),
  ...(process.env.RECONNECT_SECONDS ? { reconnectSeconds: Number(process.env.RECONNECT_SECONDS) } : {}),
  ...(process.env.RESOLVE_SECONDS ? { resolveSeconds: Number(process.env.RESOLVE_SECONDS) } : {}),
  ...(process.env.PUBLIC_URL ? { publicUrl: process.env.PUBLIC_URL } : {}),
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  try {
    await arena.shutdown();
  } finally {
    process.exit(0);
  }
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));

await arena.listen(port);
console.log(`dtao-arena is running: http://localhost:${port}`);
