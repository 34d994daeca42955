/**
 * Durable session storage, embedded default: one folder per session under DATA_DIR with
 *   meta.json     how the session was created (config, seed, host token hash)
 *   log.jsonl     every accepted entry, appended and fsynced before the player hears "ok"
 *   snapshot.json the engine state at the last round boundary (so a restart replays only a tail)
 * Appends are group-committed: entries arriving while a session's previous write + fdatasync is in
 * flight share the next one. The disk work runs on libuv's thread pool, never on the event loop, so
 * one session's fsync does not hold up another session's intents.
 */
import { closeSync, existsSync, fdatasync, fsyncSync, mkdirSync, open, openSync, promises as fsp, readdirSync, readFileSync, renameSync, write, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GameConfig, GameState } from "../shared/index.js";

export interface SessionMeta {
  readonly code: string;
  readonly createdAt: number;
  readonly hostTokenHash: string | null;
  readonly config: GameConfig;
  readonly seed: number;
  readonly quickPlay: boolean;
  readonly roundSeconds: number;
  readonly resolveSeconds: number;
  readonly maxSpectators: number;
}

/** What the room logs. "action" and "resolve" are the engine's log; the rest is room book-keeping. */
export type StoredEntry =
  | { kind: "action"; seq: number; t: number; playerId: string; action: unknown }
  | { kind: "resolve"; seq: number; t: number }
  | { kind: "seat"; seq: number; t: number; playerId: string; tokenHash: string }
  | { kind: "bot"; seq: number; t: number; playerId: string; strategy: string }
  | { kind: "timer"; seq: number; t: number; phase: string; deadline: number; paused: boolean; remainingMs: number }
  | { kind: "kick"; seq: number; t: number; playerId: string };

export interface Snapshot {
  readonly seq: number;
  readonly state: GameState;
}

export interface LoadedSession {
  readonly meta: SessionMeta;
  readonly snapshot: Snapshot | null;
  readonly entries: StoredEntry[];
}

export interface SessionStore {
  create(meta: SessionMeta): void;
  exists(code: string): boolean;
  /** Resolves once the entry is on disk; rejects (and nothing is acknowledged) if it could not be written. */
  append(code: string, entry: StoredEntry): Promise<void>;
  /** Best effort (the log has everything): resolves when written, rejects if it could not be. */
  snapshot(code: string, snap: Snapshot): Promise<void>;
  load(code: string): LoadedSession;
  list(): string[];
  /** Waits for the session's pending writes, then closes its log. */
  close(code: string): Promise<void>;
  closeAll(): Promise<void>;
}

export class StoreError extends Error {
  readonly code = "store/unavailable";
}

interface Pending {
  lines: string[];
  waiters: { resolve: () => void; reject: (e: Error) => void }[];
}

export class FileStore implements SessionStore {
  private readonly fds = new Map<string, number>();
  /** Sessions whose last write failed part-way: the next write starts on a fresh line. */
  private readonly torn = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  /** Sessions with a write + fdatasync in flight; their new lines wait in `pending` for the next one. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Per session, the last snapshot write (snapshots of one session never overlap). */
  private readonly snapshots = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {
    mkdirSync(join(dir, "sessions"), { recursive: true });
  }

  private folder(code: string): string {
    if (!/^[A-Z0-9]{4,12}$/.test(code)) throw new StoreError(`bad session code ${code.slice(0, 12)}`);
    return join(this.dir, "sessions", code);
  }

  exists(code: string): boolean {
    return existsSync(join(this.folder(code), "meta.json"));
  }

  create(meta: SessionMeta): void {
    const folder = this.folder(meta.code);
    mkdirSync(folder, { recursive: true });
    atomicWrite(join(folder, "meta.json"), JSON.stringify(meta));
  }

  append(code: string, entry: StoredEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      let p = this.pending.get(code);
      if (!p) this.pending.set(code, (p = { lines: [], waiters: [] }));
      p.lines.push(JSON.stringify(entry));
      p.waiters.push({ resolve, reject });
      // Entries of the same tick join one batch; a batch waits for the session's previous fsync.
      if (!this.inFlight.has(code) && p.waiters.length === 1) setImmediate(() => this.kick(code));
    });
  }

  /** Start the session's next batch unless one is already being written. */
  private kick(code: string): void {
    if (this.inFlight.has(code)) return;
    const p = this.pending.get(code);
    if (!p) return;
    this.pending.delete(code);
    const run = this.writeBatch(code, p).finally(() => {
      this.inFlight.delete(code);
      if (this.pending.has(code)) this.kick(code);
    });
    this.inFlight.set(code, run);
  }

  /** One write + one fdatasync (on the thread pool), then answer the batch's waiters. */
  private async writeBatch(code: string, p: Pending): Promise<void> {
    try {
      let fd = this.fds.get(code);
      if (fd === undefined) {
        fd = await openAsync(join(this.folder(code), "log.jsonl"));
        this.fds.set(code, fd);
      }
      const buf = Buffer.from((this.torn.has(code) ? "\n" : "") + p.lines.join("\n") + "\n", "utf8");
      let off = 0;
      while (off < buf.length) off += await writeAsync(fd, buf, off);
      await fdatasyncAsync(fd);
      this.torn.delete(code);
      for (const w of p.waiters) w.resolve();
    } catch (e) {
      const err = new StoreError(`could not save: ${(e as Error).message}`);
      this.torn.add(code);
      for (const w of p.waiters) w.reject(err);
      // A failed partial write could leave half a line: close, so the next append reopens cleanly.
      const fd = this.fds.get(code);
      if (fd !== undefined) { try { closeSync(fd); } catch { /* already broken */ } this.fds.delete(code); }
    }
  }

  /** Wait until every line appended so far for the session is on disk (or refused). */
  private async drain(code: string): Promise<void> {
    for (;;) {
      const running = this.inFlight.get(code);
      if (running) { await running; continue; }
      if (this.pending.has(code)) { this.kick(code); continue; }
      return;
    }
  }

  snapshot(code: string, snap: Snapshot): Promise<void> {
    // Serialised here (the state may change right after); written off the event loop.
    const text = JSON.stringify(snap);
    const path = join(this.folder(code), "snapshot.json");
    const previous = this.snapshots.get(code) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => atomicWriteAsync(path, text));
    const settled = run.catch(() => undefined);
    this.snapshots.set(code, settled);
    void settled.then(() => { if (this.snapshots.get(code) === settled) this.snapshots.delete(code); });
    return run;
  }

  load(code: string): LoadedSession {
    const folder = this.folder(code);
    const meta = JSON.parse(readFileSync(join(folder, "meta.json"), "utf8")) as SessionMeta;
    let snapshot: Snapshot | null = null;
    if (existsSync(join(folder, "snapshot.json"))) snapshot = JSON.parse(readFileSync(join(folder, "snapshot.json"), "utf8")) as Snapshot;
    const entries: StoredEntry[] = [];
    if (existsSync(join(folder, "log.jsonl"))) {
      const text = readFileSync(join(folder, "log.jsonl"), "utf8");
      for (const line of text.split("\n")) {
        if (!line) continue;
        try {
          entries.push(JSON.parse(line) as StoredEntry);
        } catch {
          // A torn line (power cut or disk error mid-write) was never acknowledged: skip it.
          continue;
        }
      }
    }
    return { meta, snapshot, entries };
  }

  list(): string[] {
    return readdirSync(join(this.dir, "sessions")).filter((c) => /^[A-Z0-9]{4,12}$/.test(c) && existsSync(join(this.dir, "sessions", c, "meta.json")));
  }

  async close(code: string): Promise<void> {
    await this.drain(code);
    await this.snapshots.get(code);
    const fd = this.fds.get(code);
    if (fd !== undefined) { closeSync(fd); this.fds.delete(code); }
  }

  async closeAll(): Promise<void> {
    const codes = new Set([...this.fds.keys(), ...this.pending.keys(), ...this.inFlight.keys(), ...this.snapshots.keys()]);
    await Promise.all([...codes].map((c) => this.close(c)));
  }
}

/** A raw descriptor (not a FileHandle, which would try to close it again when collected). */
function openAsync(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, "a", (e, fd) => (e ? reject(e) : resolve(fd))));
}

function writeAsync(fd: number, buf: Buffer, off: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, buf, off, buf.length - off, null, (e, n) => (e ? reject(e) : resolve(n))));
}

function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
}

async function atomicWriteAsync(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await fsp.open(tmp, "w");
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path);
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, "r+");
  try { fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, path);
}
