/** Ports for tests: whether one is free, and a free one in a test file's own range. */
import { createServer } from "node:net";

/** True when nothing listens on `port` (on `host`, or on every interface when it is omitted). */
export function portIsFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** The first port in [from, to] that is free on every interface and on 127.0.0.1, skipping `exclude`. */
export async function freePort(from: number, to: number, exclude: readonly number[] = []): Promise<number> {
  for (let port = from; port <= to; port++) {
    if (exclude.includes(port)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port, "127.0.0.1"))) return port;
  }
  throw new Error(`no free port in ${from}–${to}${exclude.length ? ` (tried ${exclude.join(", ")})` : ""}`);
}
