/**
 * The load test's server in its own process (forked by scripts/loadtest.ts), so its CPU, memory and
 * --cpu-prof are the server's alone and the bots' websocket decoding runs on the other core.
 * Talks to the parent over the fork IPC channel:
 *   parent -> child  { id, op: "create", options }   { id, op: "stats" }   { id, op: "stop" }
 *   child -> parent  { op: "ready", port }   { id, ok, value | error }
 * Exits by itself if the parent goes away. With LOAD_REDIS_URL and LOAD_PUBLIC_ADDRESS it is one of
 * several such processes sharing matchmaking through that Redis (scripts/loadtest.ts --processes N).
 */
import { startLoadServer, type LoadServer } from "./loadServer.js";

process.env.LOG_LEVEL ??= "silent";

interface Request { id: number; op: "create" | "stats" | "stop"; options?: unknown }

const send = (m: unknown) => { if (process.connected) process.send!(m); };

async function main() {
  const port = Number(process.env.LOAD_PORT ?? 0);
  const resolveSeconds = Number(process.env.LOAD_RESOLVE_SECONDS ?? 1);
  let server: LoadServer;
  try {
    server = await startLoadServer({
      port, resolveSeconds,
      ...(process.env.LOAD_DATA_PARENT ? { dataParent: process.env.LOAD_DATA_PARENT } : {}),
      ...(process.env.LOAD_REDIS_URL ? { redisUrl: process.env.LOAD_REDIS_URL, publicAddress: process.env.LOAD_PUBLIC_ADDRESS } : {}),
    }, true);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    send({ op: "failed", error: err.message, code: err.code ?? null });
    // Let the message reach the parent before exiting.
    setTimeout(() => process.exit(1), 100);
    return;
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close().catch(() => undefined);
    // A normal exit, so --cpu-prof writes its profile.
    process.exit(0);
  };
  process.on("disconnect", () => void stop());
  process.on("SIGTERM", () => void stop());
  process.on("message", (raw) => {
    const m = raw as Request;
    void (async () => {
      try {
        if (m.op === "create") send({ id: m.id, ok: true, value: await server.createStoredSession(m.options as Parameters<LoadServer["createStoredSession"]>[0]) });
        else if (m.op === "stats") send({ id: m.id, ok: true, value: server.stats() });
        else if (m.op === "stop") { send({ id: m.id, ok: true, value: null }); await stop(); }
      } catch (e) {
        send({ id: m.id, ok: false, error: (e as Error).message });
      }
    })();
  });
  send({ op: "ready", port: server.port });
}

void main();
