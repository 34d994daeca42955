/**
 * The real server (`server/main.ts`, what `npm start` runs) as a child process, for the fault
 * scenarios (scripts/faults/*) and their tests: started with `node --import tsx` (so the child's pid
 * is the server's own, for /proc figures and `kill -9`), in its own process group, logging JSON at
 * `LOG_LEVEL` (default warn) so the scenarios can read what the server reported.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** True when nothing listens on `port` on any interface nor on 127.0.0.1. */
export async function portIsFree(port: number): Promise<boolean> {
  for (const host of [undefined, "127.0.0.1"]) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

export async function freePort(from: number, to: number, exclude: readonly number[] = []): Promise<number> {
  for (let port = from; port <= to; port++) if (!exclude.includes(port) && (await portIsFree(port))) return port;
  throw new Error(`no free port in ${from}–${to}`);
}

export interface ServerLogLine { level: number; msg: string; [k: string]: unknown }

export interface ArenaChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly http: string;
  readonly url: string;
  /** Wall-clock ms: spawned, and /healthz first answered. */
  readonly spawnedAt: number;
  readonly healthyAt: number;
  output(): string;
  /** The JSON log lines so far (optionally only those with this message). */
  logs(msg?: string): ServerLogLine[];
  alive(): boolean;
  /** Signal the process group; resolves when the server process has exited. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<void>;
  /** CPU seconds used and resident memory (now and peak), from /proc; null off Linux or once gone. */
  usage(): { cpuSeconds: number; rssMB: number; peakRssMB: number } | null;
}

export interface ArenaChildOptions {
  port: number;
  dataDir: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startArenaChild(o: ArenaChildOptions): Promise<ArenaChild> {
  const spawnedAt = Date.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(o.port), DATA_DIR: o.dataDir, LOG_LEVEL: "warn", ...o.env,
  };
  // The child is a server, not part of a test run.
  delete env.VITEST; delete env.VITEST_POOL_ID; delete env.VITEST_WORKER_ID; delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { cwd: REPO_ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => { out += String(d); });
  child.stderr?.on("data", (d) => { out += String(d); });
  const pid = child.pid!;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  let healthyAt = 0;
  const proc: ArenaChild = {
    child, pid, port: o.port, spawnedAt,
    get healthyAt() { return healthyAt; },
    http: `http://127.0.0.1:${o.port}`, url: `ws://127.0.0.1:${o.port}`,
    output: () => out,
    logs(msg) {
      const lines: ServerLogLine[] = [];
      for (const l of out.split("\n")) {
        if (!l.startsWith("{")) continue;
        try {
          const j = JSON.parse(l) as ServerLogLine;
          if (msg === undefined || j.msg === msg) lines.push(j);
        } catch { /* a partial line */ }
      }
      return lines;
    },
    alive,
    async stop(signal, timeoutMs = 15_000) {
      if (!alive()) return;
      try { process.kill(-pid, signal); } catch { return; }
      const t = setTimeout(() => { try { process.kill(-pid, "SIGKILL"); } catch { /* gone */ } }, timeoutMs);
      await exited;
      clearTimeout(t);
    },
    usage() {
      try {
        if (!alive() || !existsSync(`/proc/${pid}/stat`)) return null;
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const kb = (k: string) => Number(status.match(new RegExp(`${k}:\\s+(\\d+)`))?.[1] ?? 0);
        return { cpuSeconds: ticks / 100, rssMB: kb("VmRSS") / 1024, peakRssMB: kb("VmHWM") / 1024 };
      } catch {
        return null;
      }
    },
  };
  const ready = `is running: http://localhost:${o.port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    if (!alive()) throw new Error(`server exited early (${child.exitCode ?? child.signalCode})\n${out.slice(-2000)}`);
    if (out.includes(ready)) {
      try {
        const res = await fetch(`${proc.http}/healthz`);
        if (res.ok) break;
      } catch { /* not yet */ }
    }
    if (Date.now() > deadline) {
      await proc.stop("SIGKILL");
      throw new Error(`server did not become healthy in time\n${out.slice(-2000)}`);
    }
    await sleep(25);
  }
  healthyAt = Date.now();
  return proc;
}
