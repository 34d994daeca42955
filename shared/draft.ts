/**
 * Copy-on-write records for runs of engine steps whose intermediate states nobody else sees: a
 * batch of actions (`applyActions`) and the NPC trading inside `resolveRound`.
 *
 * Outside a draft scope, `setEntry` is the plain immutable update: it always returns a fresh copy
 * of the record with one entry set. Inside a scope, the first write to a record copies it and marks
 * the copy as owned by the scope; later writes to that copy happen in place, so a run of N trades
 * copies `state.players` once instead of N times. Records that existed before the scope (those of
 * the input state) are never owned, so they are never written. The owned set is dropped when the
 * scope ends, so what the scope returns is an ordinary immutable state from then on.
 *
 * The rule for callers inside a scope: an intermediate state is superseded by the next step's
 * state and must not be read after that step (its records may have moved on).
 */
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

/** `{ ...record, [key]: value }`, in place when the record was copied earlier in the current draft scope. */
export function setEntry<V>(record: Readonly<Record<string, V>>, key: string, value: V): Record<string, V> {
  if (owned !== null && owned.has(record)) {
    (record as Record<string, V>)[key] = value;
    return record as Record<string, V>;
  }
  const copy: Record<string, V> = { ...record, [key]: value };
  if (owned !== null) owned.add(copy);
  return copy;
}
