/** A real arena server in the test process, on its own port and data folder, and websocket clients for it. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, type Room } from "colyseus.js";
import { createArena, type Arena, type ArenaOptions } from "../../server/app.js";

export interface TestServer {
  arena: Arena;
  port: number;
  url: string;
  http: string;
  dataDir: string;
  close(): Promise<void>;
}

/** Each test file passes its own port so files can run in parallel. */
export async function startServer(port: number, options: ArenaOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "arena-test-"));
  const arena = createArena({ dataDir, reconnectSeconds: 2, resolveSeconds: 1, botDelayMs: 50, clientDir: "/nonexistent", ...options });
  await arena.listen(port, "127.0.0.1");
  return {
    arena, port, dataDir, url: `ws://127.0.0.1:${port}`, http: `http://127.0.0.1:${port}`,
    async close() {
      await arena.shutdown();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function createSession(http: string, body: Record<string, unknown> = {}) {
  const res = await fetch(`${http}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { code: string; hostToken: string; joinUrl: string; error?: string } };
}

/** Collects every message of every type a client room receives, and answers `result`s by ref. */
export class Recorder {
  readonly messages: { type: string; message: unknown }[] = [];
  private refCounter = 0;
  private waiters = new Map<string | number, (m: Result) => void>();
  constructor(readonly room: Room) {
    room.onMessage("*", (type, message) => {
      this.messages.push({ type: String(type), message });
      if (type === "result") {
        const r = message as Result;
        const w = r.ref !== undefined ? this.waiters.get(r.ref) : undefined;
        if (w) { this.waiters.delete(r.ref!); w(r); }
      }
    });
  }
  /** Send a message and wait for its result. */
  ask(type: string, payload: Record<string, unknown> = {}, timeoutMs = 5000): Promise<Result> {
    const ref = `r${++this.refCounter}`;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.waiters.delete(ref); reject(new Error(`no result for ${type}`)); }, timeoutMs);
      this.waiters.set(ref, (m) => { clearTimeout(t); resolve(m); });
      this.room.send(type, { ...payload, ref });
    });
  }
  last<T = unknown>(type: string): T | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i].type === type) return this.messages[i].message as T;
    return undefined;
  }
  async waitFor<T = unknown>(type: string, timeoutMs = 5000, after = 0): Promise<T> {
    const start = Date.now();
    for (;;) {
      const i = this.messages.findIndex((m, k) => k >= after && m.type === type);
      if (i >= 0) return this.messages[i].message as T;
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${type}`);
      await sleep(10);
    }
  }
}

export interface Result { ref?: string | number; type: string; ok: boolean; code?: string; message?: string }

export function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function until(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function client(url: string) {
  return new Client(url);
}
