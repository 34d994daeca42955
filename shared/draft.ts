/**
 * Copy-on-write records for runs of engine steps whose intermediate states nobody else sees: a
 * batch of actions (`applyActions`) and the NPC trading inside `resolveRound`.
 *
 * Outside a draft scope every update is the plain immutable one: a fresh copy with the change.
 * Inside a scope, the first write to a record (the players or subnets record, a player's stakes,
 * a feed, the state object itself) copies it and marks the copy as owned by the scope; later
 * writes to that copy happen in place, so a run of N trades copies `state.players` once instead of
 * N times. Records that existed before the scope (those of the input state) are never owned, so
 * they are never written. The owned set is dropped when the scope ends, so what the scope returns
 * is an ordinary immutable state from then on.
 *
 * The rule for code inside a scope: an intermediate state is superseded by the next step's state
 * and must not be read after that step (its records may have moved on); and a step may hand back
 * the very object it was given, so changes are detected by content, never by identity.
 */
import type { GameState } from "./state.js";

let owned: WeakSet<object> | null = null;

/** Run `fn` as one draft scope (scopes nest; an inner scope never writes the outer scope's records). */
export function inDraft<T>(fn: () => T): T {
  const outer = owned;
  owned = new WeakSet();
  try {
    return fn();
  } finally {
    owned = outer;
  }
}

/** Whether `record` was made in the current draft scope (so it may be written in place). */
export function owns(record: object): boolean {
  return owned !== null && owned.has(record);
}

/** Mark a fresh copy as made in the current draft scope (no-op outside one); returns it. */
export function own<T extends object>(copy: T): T {
  if (owned !== null) owned.add(copy);
  return copy;
}

/*
 * Callers spread at their own call sites (`owns(r) ? r : own({ ...r })`) rather than through a shared
 * helper: a spread site that sees one kind of record stays fast, one that sees them all does not.
 */

/**
 * `{ ...state, ...fields }`, in place when the current draft scope made the state object. (So a
 * step inside a scope may return the very object it was given: compare contents, not identity.)
 */
export function patchState(state: GameState, fields: Partial<GameState>): GameState {
  if (owned !== null && owned.has(state)) return Object.assign(state, fields);
  return own({ ...state, ...fields });
}
