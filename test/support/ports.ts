/**
 * A free port from a file's own list, so the same test file run twice at once (two engineers'
 * `vitest run`) does not fail with EADDRINUSE. Probes with a throwaway listener, then closes it.
 */
import { createServer } from "node:net";

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

export async function freePort(candidates: readonly number[]): Promise<number> {
  for (const port of candidates) if (await probe(port)) return port;
  throw new Error(`no free port among ${candidates.join(", ")}`);
}
