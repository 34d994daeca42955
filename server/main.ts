/**
 * `npm start`: the game and its server on one port (PORT, default 2567), sessions stored under
 * DATA_DIR (default ./data). SIGTERM or Ctrl-C saves every session before exiting.
 *
 * Scale-out: with REDIS_URL set, several processes share matchmaking, session codes and seat
 * reservations through Redis (RedisPresence + RedisDriver). Each process then needs its own PORT,
 * its own DATA_DIR and PUBLIC_ADDRESS, where clients reach its WebSocket (e.g. `10.0.0.5:2567` or
 * `arena.example.org/2567` behind a proxy). See docs/operations.md.
 */
import { resolve } from "node:path";
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import { createArena } from "./app.js";
import { log } from "./log.js";

const port = Number(process.env.PORT ?? 2567);
const redisUrl = process.env.REDIS_URL || undefined;
const publicAddress = process.env.PUBLIC_ADDRESS || undefined;
if (redisUrl && !publicAddress) {
  console.error("dtao-arena: REDIS_URL is set but PUBLIC_ADDRESS is not. Each process needs its own public address (host:port or host/path) so clients reach the process that hosts their session.");
  process.exit(1);
}

const arena = createArena({
  dataDir: resolve(process.env.DATA_DIR ?? "data"),
  ...(process.env.RECONNECT_SECONDS ? { reconnectSeconds: Number(process.env.RECONNECT_SECONDS) } : {}),
  ...(process.env.RESOLVE_SECONDS ? { resolveSeconds: Number(process.env.RESOLVE_SECONDS) } : {}),
  ...(process.env.PUBLIC_URL ? { publicUrl: process.env.PUBLIC_URL } : {}),
  ...(process.env.MAX_BUFFERED_KB ? { maxBufferedBytes: Number(process.env.MAX_BUFFERED_KB) * 1024 } : {}),
  ...(publicAddress ? { publicAddress } : {}),
  ...(redisUrl ? { presence: new RedisPresence(redisUrl), driver: new RedisDriver(redisUrl) } : {}),
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

try {
  await arena.listen(port);
} catch (e) {
  log.fatal({ err: (e as Error).message }, "could not start");
  console.error(`dtao-arena could not start: ${(e as Error).message}`);
  process.exit(1);
}
if (redisUrl) log.info({ publicAddress }, "sharing matchmaking through Redis");
console.log(`dtao-arena is running: http://localhost:${port}`);
