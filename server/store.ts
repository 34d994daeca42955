/**
 * Durable session storage, embedded default: one folder per session under DATA_DIR with
 *   meta.json     how the session was created (config, seed, host token hash)
 *   log.jsonl     every accepted entry, appended and fsynced before the player hears "ok"
 *   snapshot.json the engine state at the last round boundary (so a restart replays only a tail)
 * Appends are group-committed: entries arriving in the same tick share one write and one fsync.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync, existsSync, fsyncSync } from "node:fs";
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
  snapshot(code: string, snap: Snapshot): void;
  load(code: string): LoadedSession;
  list(): string[];
  close(code: string): void;
  closeAll(): void;
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
  private flushScheduled = false;

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
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Write every pending line, one write + one fdatasync per session, then answer the waiters. */
  flush(): void {
    this.flushScheduled = false;
    const batches = [...this.pending.entries()];
    this.pending.clear();
    for (const [code, p] of batches) {
      try {
        let fd = this.fds.get(code);
        if (fd === undefined) {
          fd = openSync(join(this.folder(code), "log.jsonl"), "a");
          this.fds.set(code, fd);
        }
        const buf = Buffer.from((this.torn.has(code) ? "\n" : "") + p.lines.join("\n") + "\n", "utf8");
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
        fdatasyncSync(fd);
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
  }

  snapshot(code: string, snap: Snapshot): void {
    atomicWrite(join(this.folder(code), "snapshot.json"), JSON.stringify(snap));
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

  close(code: string): void {
    this.flush();
    const fd = this.fds.get(code);
    if (fd !== undefined) { closeSync(fd); this.fds.delete(code); }
  }

  closeAll(): void {
    this.flush();
    for (const code of [...this.fds.keys()]) this.close(code);
  }
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, "r+");
  try { fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, path);
}
