/**
 * A TCP relay in front of the server, so a scenario can cut every client's connection at once the
 * way a network does (a Wi-Fi access point restarting, a NAT dropping its table): `cutAll()`
 * destroys both sides of every relayed connection. HTTP and WebSocket traffic pass unchanged;
 * colyseus.js clients pointed at the relay reach the server's WebSockets through it as well.
 */
import { createServer, type Server, type Socket, connect } from "node:net";

export interface TcpProxy {
  port: number;
  url: string;
  http: string;
  /** Connections relayed now. */
  open(): number;
  /** Destroy every relayed connection (both sides) at once; returns how many were cut. */
  cutAll(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, port = 0, host = "127.0.0.1"): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((down) => {
    const up = connect(targetPort, host);
    const pair: [Socket, Socket] = [down, up];
    pairs.add(pair);
    const end = () => { pairs.delete(pair); down.destroy(); up.destroy(); };
    down.on("error", end); up.on("error", end);
    down.on("close", end); up.on("close", end);
    down.pipe(up); up.pipe(down);
  });
  await new Promise<void>((r, fail) => { server.once("error", fail); server.listen(port, host, () => r()); });
  const actual = (server.address() as { port: number }).port;
  return {
    port: actual,
    url: `ws://${host}:${actual}`,
    http: `http://${host}:${actual}`,
    open: () => pairs.size,
    cutAll() {
      const n = pairs.size;
      for (const [down, up] of [...pairs]) {
        // resetAndDestroy sends RST where available: the peer sees a dead connection, not a goodbye.
        (down as Socket & { resetAndDestroy?: () => void }).resetAndDestroy?.() ?? down.destroy();
        (up as Socket & { resetAndDestroy?: () => void }).resetAndDestroy?.() ?? up.destroy();
      }
      pairs.clear();
      return n;
    },
    close: () => new Promise<void>((r) => { for (const [a, b] of pairs) { a.destroy(); b.destroy(); } server.close(() => r()); }),
  };
}
