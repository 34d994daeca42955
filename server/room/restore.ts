/**
 * Rebuilding a session from its store: the engine state from the last snapshot plus the logged
 * actions after it, and the room's own book (seats, bots, kicks, timer) from every entry.
 */
import { applyAction, createGame, type GameState, resolveRound, type RoundReport, stateHash } from "../../shared/index.js";
import type { LoadedSession, StoredEntry } from "../store.js";

export interface RoomBook {
  seats: Map<string, string>; // token hash -> player id
  bots: Map<string, string>; // player id -> strategy
  kicked: Set<string>;
  timer: Extract<StoredEntry, { kind: "timer" }> | null;
  seq: number;
}

export interface Restored {
  state: GameState;
  book: RoomBook;
  /** Reports of the rounds replayed after the snapshot (earlier ones are recomputed on export). */
  reports: RoundReport[];
}

/**
 * The whole log is replayed from the start (the engine is fast and deterministic), so the round
 * reports for the debrief are complete; the snapshot is only a cross-check and a seq floor.
 */
export function restoreSession(loaded: LoadedSession): Restored {
  const { meta, snapshot, entries } = loaded;
  let state = createGame(meta.config, meta.seed);
  const from = 0;
  const book: RoomBook = { seats: new Map(), bots: new Map(), kicked: new Set(), timer: null, seq: snapshot?.seq ?? 0 };
  let checked = false;
  const reports: RoundReport[] = [];
  for (const e of entries) {
    book.seq = Math.max(book.seq, e.seq);
    switch (e.kind) {
      case "seat": book.seats.set(e.tokenHash, e.playerId); break;
      case "bot": book.bots.set(e.playerId, e.strategy); break;
      case "kick": book.kicked.add(e.playerId); break;
      case "timer": book.timer = e; break;
      case "action":
        if (e.seq > from) {
          const r = applyAction(state, e.playerId, e.action);
          // A logged action was accepted once; the engine is deterministic, so it is accepted again.
          if (!r.ok) throw new Error(`restore: entry ${e.seq} refused on replay: ${r.error.code}`);
          state = r.state;
        }
        break;
      case "resolve":
        if (e.seq > from) {
          const r = resolveRound(state);
          state = r.state;
          reports.push(r.report);
        }
        break;
    }
    if (snapshot && e.seq === snapshot.seq) {
      checked = true;
      if (stateHash(state) !== stateHash(snapshot.state)) throw new Error(`restore: replay disagrees with the snapshot at entry ${e.seq}`);
    }
  }
  void checked;
  return { state, book, reports };
}

/** The engine's own log (config + seed + these entries = the game), for export and replay. */
export type TimedLogEntry = { kind: "action"; playerId: string; action: unknown; t: number } | { kind: "resolve"; t: number };

export function engineLog(entries: readonly StoredEntry[]): TimedLogEntry[] {
  const out: TimedLogEntry[] = [];
  for (const e of entries) {
    if (e.kind === "action") out.push({ kind: "action", playerId: e.playerId, action: e.action, t: e.t });
    else if (e.kind === "resolve") out.push({ kind: "resolve", t: e.t });
  }
  return out;
}
