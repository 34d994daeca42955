/**
 * Floods, stopped at the socket. The room's token bucket (server/room/rateLimit.ts: 20 a second,
 * bursts of 40) answers each message over the limit with `rate/limited`, and closes a client that
 * keeps at it (4429). But every message still costs the server its decoding and that answer, and a
 * close handshake lasts until the client reads the close frame: a flooder does not, so the room went
 * on handling (refusing, and logging the disconnection again for) thousands of its messages a second.
 *
 * This guard sees each connection's messages before the room does:
 *  - once the server has closed a connection (any close: 4429, replaced, kicked, shutdown), what the
 *    client sends afterwards no longer reaches the room;
 *  - past `maxMessagesPerSecond` (more than the room lets any client send before closing it) the
 *    connection is terminated at once.
 * The room sees a dropped connection; the seat stays (the player may come back with the seat token).
 */
import type { IncomingMessage } from "node:http";
import type { WebSocket, WebSocketServer } from "ws";
import { log } from "./log.js";

export interface FloodOptions {
  /** Messages one connection may send in a second before it is terminated; 0: no limit. */
  maxMessagesPerSecond: number;
}

/**
 * 500: well above what the room itself lets through before it closes a client (a burst of 40, then
 * 200 refusals: about 240 messages), so only a client that goes on after that is cut.
 */
export const DEFAULT_FLOOD: FloodOptions = { maxMessagesPerSecond: 500 };

export interface FloodGuard {
  stats(): { dropped: number };
}

export function guardFloods(wss: WebSocketServer, options: FloodOptions = DEFAULT_FLOOD): FloodGuard {
  const stats = { dropped: 0 };
  const max = options.maxMessagesPerSecond;
  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    let windowStart = Date.now();
    let count = 0;
    // Added when the connection opens, so it runs before the room's own listener (added once the
    // client has joined): once it gives up on a connection, the room hears nothing more from it.
    const counter = () => {
      if (!(max > 0)) return;
      const now = Date.now();
      if (now - windowStart >= 1000) { windowStart = now; count = 0; }
      if (++count <= max) return;
      stats.dropped++;
      ws.removeAllListeners("message");
      const url = new URL(`ws://server${req.url ?? "/"}`);
      log.warn({ code: url.pathname.split("/").pop(), sessionId: url.searchParams.get("sessionId"), messagesPerSecond: max }, "dropping a client that floods its socket");
      ws.terminate();
    };
    ws.on("message", counter);
    const close = ws.close.bind(ws);
    ws.close = ((code?: number, data?: string | Buffer) => {
      // The server has told this client to go: from now on its messages are only counted.
      ws.removeAllListeners("message");
      ws.on("message", counter);
      close(code, data);
    }) as WebSocket["close"];
  });
  return { stats: () => ({ ...stats }) };
}
