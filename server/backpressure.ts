/**
 * Clients that do not read. The server sends every patch and message to every client of a room;
 * when a client stops reading its socket, the kernel's buffers fill (about 4 MB on loopback) and
 * then Node keeps the rest in memory, without limit. Colyseus' ping drops a client that does not
 * answer pings within 6–9 s, but a client may send pongs without reading anything, and 9 s of a
 * busy room is a lot of memory per client.
 *
 * This guard looks at every WebSocket's `bufferedAmount` (bytes queued in Node, above what the
 * kernel holds) a few times a second and terminates a connection that has more than
 * `maxBufferedBytes` waiting: its memory is freed at once (a close handshake would keep it until
 * the peer read it). The room sees an ordinary dropped connection, so the seat stays: the player
 * may reconnect, or come back with the seat token.
 */
import type { IncomingMessage } from "node:http";
import type { WebSocket, WebSocketServer } from "ws";
import { log } from "./log.js";

export interface BackpressureOptions {
  /** Bytes queued for one connection (in Node, above the kernel's buffers) past which it is dropped; 0: no limit. */
  maxBufferedBytes: number;
  /** How often connections are checked, ms. */
  checkMs: number;
}

/** 2 MB: a few times the largest burst a room sends at once (a full state or a debrief), checked 4 times a second. */
export const DEFAULT_BACKPRESSURE: BackpressureOptions = { maxBufferedBytes: 2 * 1024 * 1024, checkMs: 250 };

export interface BackpressureStats {
  /** Connections dropped for not reading. */
  dropped: number;
  /** The most bytes seen queued for one connection, at a check. */
  peakBufferedBytes: number;
}

export interface BackpressureGuard {
  stats(): BackpressureStats;
  stop(): void;
}

/** Where a connection goes (from its URL: /<processId>/<roomId>?sessionId=...), for the log. */
function target(req: IncomingMessage): { code: string; sessionId: string } {
  const url = new URL(`ws://server${req.url ?? "/"}`);
  const room = url.pathname.match(/\/([a-zA-Z0-9_-]+)$/);
  return { code: room?.[1] ?? "", sessionId: url.searchParams.get("sessionId") ?? "" };
}

export function guardBackpressure(wss: WebSocketServer, options: BackpressureOptions = DEFAULT_BACKPRESSURE): BackpressureGuard {
  const where = new WeakMap<WebSocket, { code: string; sessionId: string }>();
  const stats: BackpressureStats = { dropped: 0, peakBufferedBytes: 0 };
  if (!(options.maxBufferedBytes > 0)) return { stats: () => ({ ...stats }), stop: () => undefined };
  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => where.set(ws, target(req)));
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      const queued = ws.bufferedAmount;
      if (queued > stats.peakBufferedBytes) stats.peakBufferedBytes = queued;
      if (queued <= options.maxBufferedBytes) continue;
      stats.dropped++;
      log.warn({ ...where.get(ws), bufferedBytes: queued, limit: options.maxBufferedBytes }, "dropping a client that does not read");
      ws.terminate();
    }
  }, options.checkMs);
  timer.unref();
  return {
    stats: () => ({ ...stats }),
    stop: () => clearInterval(timer),
  };
}
