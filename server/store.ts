/**
 * Durable session storage, embedded default: one folder per session under DATA_DIR with
 *   meta.json     how the session was created (config, seed, host token hash)
 *   log.jsonl     every accepted entry, appended and fsynced before the player hears "ok"
 *   snapshot.json the engine state at the last round boundary (so a restart replays only a tail)
 * Appends are group-committed: entries arriving in the same tick share one write and one fsync.
 * A write that fails (a full disk, a read-only or unwritable folder, an I/O error) rejects its
 * entries, and whatever part of them reached the file is cut off again, so a refused entry is never
 * replayed later.
 */
import * as nodeFs from "node:fs";
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

/** "ENOSPC (write)": the error without the file's path (a refused join shows the message to the player). */
function describe(e: unknown): string {
  const x = e as NodeJS.ErrnoException;
  return x.code ? `${x.code} (${x.syscall ?? "fs"})` : (x.message ?? String(e));
}

/**
 * The file-system calls the store makes (node:fs by default). Tests and `npm run faults -- store`
 * pass a wrapper that fails them the way a full disk or a read-only folder does.
 */
export type StoreFs = Pick<typeof nodeFs,
  "openSync" | "readSync" | "writeSync" | "fdatasyncSync" | "fsyncSync" | "closeSync" | "ftruncateSync" | "fstatSync" | "writeFileSync"
  | "renameSync" | "unlinkSync" | "mkdirSync" | "readFileSync" | "readdirSync" | "existsSync">;

interface Pending {
  lines: string[];
  waiters: { resolve: () => void; reject: (e: Error) => void }[];
}

export class FileStore implements SessionStore {
  /** Open logs: descriptor and the length of the file as this store wrote it. */
  private readonly fds = new Map<string, { fd: number; size: number }>();
  /** Sessions whose last failed write could not be cut off: the next write starts on a fresh line. */
  private readonly torn = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private flushScheduled = false;

  constructor(private readonly dir: string, private readonly fs: StoreFs = nodeFs) {
    fs.mkdirSync(join(dir, "sessions"), { recursive: true });
  }

  private folder(code: string): string {
    if (!/^[A-Z0-9]{4,12}$/.test(code)) throw new StoreError(`bad session code ${code.slice(0, 12)}`);
    return join(this.dir, "sessions", code);
  }

  exists(code: string): boolean {
    return this.fs.existsSync(join(this.folder(code), "meta.json"));
  }

  create(meta: SessionMeta): void {
    const folder = this.folder(meta.code);
    this.fs.mkdirSync(folder, { recursive: true });
    this.atomicWrite(join(folder, "meta.json"), JSON.stringify(meta));
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
      let log: { fd: number; size: number } | undefined;
      try {
        log = this.fds.get(code);
        if (log === undefined) {
          const fd = this.fs.openSync(join(this.folder(code), "log.jsonl"), "a+");
          try {
            log = { fd, size: this.fs.fstatSync(fd).size };
            // A log that ends mid-line (a power cut mid-write): start the next entry on a fresh line.
            const last = Buffer.alloc(1);
            if (log.size > 0 && this.fs.readSync(fd, last, 0, 1, log.size - 1) === 1 && last[0] !== 0x0a) this.torn.add(code);
          } catch (e) {
            this.fs.closeSync(fd);
            throw e;
          }
          this.fds.set(code, log);
        }
        const buf = Buffer.from((this.torn.has(code) ? "\n" : "") + p.lines.join("\n") + "\n", "utf8");
        let off = 0;
        while (off < buf.length) off += this.fs.writeSync(log.fd, buf, off, buf.length - off);
        this.fs.fdatasyncSync(log.fd);
        log.size += buf.length;
        this.torn.delete(code);
        for (const w of p.waiters) w.resolve();
      } catch (e) {
        const err = new StoreError(`could not save: ${describe(e)}`);
        if (log !== undefined) {
          // Part of the batch may be in the file (a disk fills mid-write; a failed fdatasync leaves
          // the bytes in the page cache): cut the file back to its length before this write, so no
          // refused entry is replayed after a restart. If even that fails, the next write starts on
          // a fresh line, and load() drops entries whose seq numbers the room then reused.
          try {
            this.fs.ftruncateSync(log.fd, log.size);
          } catch {
            this.torn.add(code);
          }
          // Reopen on the next append (the folder may have been fixed or replaced meanwhile).
          try { this.fs.closeSync(log.fd); } catch { /* already broken */ }
          this.fds.delete(code);
        }
        for (const w of p.waiters) w.reject(err);
      }
    }
  }

  snapshot(code: string, snap: Snapshot): void {
    this.atomicWrite(join(this.folder(code), "snapshot.json"), JSON.stringify(snap));
  }

  load(code: string): LoadedSession {
    const folder = this.folder(code);
    const meta = JSON.parse(this.fs.readFileSync(join(folder, "meta.json"), "utf8")) as SessionMeta;
    let snapshot: Snapshot | null = null;
    if (this.fs.existsSync(join(folder, "snapshot.json"))) snapshot = JSON.parse(this.fs.readFileSync(join(folder, "snapshot.json"), "utf8")) as Snapshot;
    const entries: StoredEntry[] = [];
    if (this.fs.existsSync(join(folder, "log.jsonl"))) {
      const text = this.fs.readFileSync(join(folder, "log.jsonl"), "utf8");
      for (const line of text.split("\n")) {
        if (!line) continue;
        let entry: StoredEntry;
        try {
          entry = JSON.parse(line) as StoredEntry;
        } catch {
          // A torn line (power cut or disk error mid-write) was never acknowledged: skip it.
          continue;
        }
        // A room numbers its entries 1, 2, 3, ... and gives the numbers of a refused write to the next
        // entries. So an entry that does not come after the one before it means those before it, back
        // to its number, were refused (a failed write that could not be cut off): drop them.
        if (typeof entry.seq === "number") {
          while (entries.length > 0 && typeof entries[entries.length - 1].seq === "number" && entries[entries.length - 1].seq >= entry.seq) entries.pop();
        }
        entries.push(entry);
      }
    }
    return { meta, snapshot, entries };
  }

  list(): string[] {
    return this.fs.readdirSync(join(this.dir, "sessions")).filter((c) => /^[A-Z0-9]{4,12}$/.test(c) && this.fs.existsSync(join(this.dir, "sessions", c, "meta.json")));
  }

  close(code: string): void {
    this.flush();
    const log = this.fds.get(code);
    if (log !== undefined) { this.fds.delete(code); this.fs.closeSync(log.fd); }
  }

  closeAll(): void {
    this.flush();
    for (const code of [...this.fds.keys()]) this.close(code);
  }

  /** Write a whole file or nothing: a temporary file, flushed, renamed over the old one (removed again if that fails). */
  private atomicWrite(path: string, text: string): void {
    const tmp = `${path}.tmp`;
    try {
      this.fs.writeFileSync(tmp, text);
      const fd = this.fs.openSync(tmp, "r+");
      try { this.fs.fsyncSync(fd); } finally { this.fs.closeSync(fd); }
      this.fs.renameSync(tmp, path);
    } catch (e) {
      // A half-written temporary file on a full disk would hold on to the space the log needs.
      try { this.fs.unlinkSync(tmp); } catch { /* not there */ }
      throw e;
    }
  }
}
