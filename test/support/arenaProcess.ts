/**
 * The real server as a child process (`npx tsx server/main.ts`), for crash and restart tests.
 * `npx` runs npm -> sh -> tsx -> node, so the child is started in its own process group and
 * signals go to the whole group: SIGKILL then really kills the server (not just npx), and a
 * SIGTERM reaches the node process the way a service manager's stop would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort, portIsFree } from "./ports.js";
import { sleep } from "./server.js";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ArenaProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly http: string;
  readonly url: string;
  /** Wall-clock ms when the process was spawned and when /healthz first answered. */
  readonly spawnedAt: number;
  healthyAt: number;
  /** stdout + stderr so far (for failure messages). */
  output(): string;
  /** Send a signal to the whole process group and wait until every process in it is gone. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<void>;
  alive(): boolean;
}

export interface PortChoice {
  /** Try this one first (e.g. the port of the process being restarted). */
  preferred?: number;
  /** The test file's own range to fall back on. */
  from: number;
  to: number;
}

/**
 * Start the server and wait until *this* process is serving: its own "is running" line (printed
 * after listen and after restoring stored sessions) and then /healthz. A port taken by someone
 * else (EADDRINUSE) moves on to another free port in the range.
 */
export async function startArenaProcess(ports: PortChoice, dataDir: string, env: Record<string, string> = {}, timeoutMs = 20_000): Promise<ArenaProcess> {
  const tried: number[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = ports.preferred !== undefined && attempt === 0 && (await portIsFree(ports.preferred)) && (await portIsFree(ports.preferred, "127.0.0.1"))
      ? ports.preferred
      : await freePort(ports.from, ports.to, tried);
    tried.push(port);
    const started = await spawnOn(port, dataDir, env, timeoutMs);
    if (started !== "port-taken") return started;
  }
  throw new Error(`could not find a port to start the server on (tried ${tried.join(", ")})`);
}

async function spawnOn(port: number, dataDir: string, env: Record<string, string>, timeoutMs: number): Promise<ArenaProcess | "port-taken"> {
  const spawnedAt = Date.now();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: process.env.ARENA_CHILD_LOG_LEVEL ?? "silent", RECONNECT_SECONDS: "2", RESOLVE_SECONDS: "1",
    ...env,
  };
  // The child is a server, not part of this test run.
  delete childEnv.VITEST; delete childEnv.VITEST_POOL_ID; delete childEnv.VITEST_WORKER_ID; delete childEnv.NODE_OPTIONS;
  const child = spawn("npx", ["tsx", "server/main.ts"], { cwd: REPO_ROOT, env: childEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => { out += String(d); });
  child.stderr?.on("data", (d) => { out += String(d); });
  const pgid = child.pid!;
  const groupAlive = () => {
    try { process.kill(-pgid, 0); return true; } catch { return false; }
  };
  const proc: ArenaProcess = {
    child, port, spawnedAt, healthyAt: 0,
    http: `http://127.0.0.1:${port}`, url: `ws://127.0.0.1:${port}`,
    output: () => out,
    alive: groupAlive,
    async stop(signal, stopTimeoutMs = 10_000) {
      if (!groupAlive()) return;
      try { process.kill(-pgid, signal); } catch { return; }
      const start = Date.now();
      while (groupAlive()) {
        if (Date.now() - start > stopTimeoutMs) {
          try { process.kill(-pgid, "SIGKILL"); } catch { /* gone */ }
          throw new Error(`server process group ${pgid} did not stop on ${signal} within ${stopTimeoutMs} ms\n${out.slice(-2000)}`);
        }
        await sleep(20);
      }
    },
  };
  const ready = `is running: http://localhost:${port}`;
  const start = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || !groupAlive()) {
      await proc.stop("SIGKILL").catch(() => undefined);
      if (out.includes("EADDRINUSE")) return "port-taken";
      throw new Error(`server exited early (${child.exitCode ?? child.signalCode})\n${out.slice(-2000)}`);
    }
    if (out.includes(ready)) {
      try {
        const res = await fetch(`${proc.http}/healthz`);
        if (res.ok && ((await res.json()) as { ok?: boolean }).ok) break;
      } catch {
        /* not answering yet */
      }
    }
    if (Date.now() - start > timeoutMs) {
      await proc.stop("SIGKILL").catch(() => undefined);
      throw new Error(`server did not become healthy within ${timeoutMs} ms\n${out.slice(-2000)}`);
    }
    await sleep(50);
  }
  proc.healthyAt = Date.now();
  return proc;
}

/** Poll an async check until it returns true. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const start = Date.now();
  for (;;) {
    let ok = false;
    try { ok = await check(); } catch { ok = false; }
    if (ok) return;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
