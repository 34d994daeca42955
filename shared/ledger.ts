/**
 * Balance and position book-keeping for one player. Every change goes through these helpers so
 * the summed views (`rootStake`, `alpha[netuid]`) always equal the positions they summarise.
 * Pure: each returns a new Player. Deltas must be on the rao grid (every engine amount is), so the
 * results are too and need no re-quantising.
 */
import { dec, type Dec, raoString, ZERO } from "./decimal.js";
import { own, owns } from "./draft.js";
import { ROOT_NETUID, type Netuid, type Player, type PlayerId } from "./state.js";

export function withTao(p: Player, delta: Dec): Player {
  const next = dec(p.tao).plus(delta);
  if (next.isNeg()) throw new Error(`ledger: negative TAO for ${p.id}`);
  return { ...p, tao: raoString(next) };
}

export function positionOf(p: Player, netuid: Netuid, validator: PlayerId): Dec {
  const s = p.stakes[netuid]?.[validator];
  return s === undefined ? ZERO : dec(s);
}

/** Add (or with a negative delta, remove) stake on one (subnet, validator) position. */
export function withPosition(p: Player, netuid: Netuid, validator: PlayerId, delta: Dec): Player {
  if (delta.isZero()) return p;
  const current = positionOf(p, netuid, validator);
  const next = current.plus(delta);
  if (next.isNeg()) throw new Error(`ledger: negative position ${p.id}/${netuid}/${validator}`);
  // Copies of the records (inside a draft scope, records the scope already copied are written in place).
  const held = p.stakes[netuid];
  const book: Record<PlayerId, string> = held && owns(held) ? (held as Record<PlayerId, string>) : own({ ...(held ?? {}) });
  if (next.isZero()) delete book[validator];
  else book[validator] = raoString(next);
  const stakes: Record<Netuid, Readonly<Record<PlayerId, string>>> = owns(p.stakes) ? (p.stakes as Record<Netuid, Readonly<Record<PlayerId, string>>>) : own({ ...p.stakes });
  if (Object.keys(book).length === 0) delete stakes[netuid];
  else stakes[netuid] = book;
  if (netuid === ROOT_NETUID) {
    return { ...p, stakes, rootStake: raoString(dec(p.rootStake).plus(delta)) };
  }
  const total = dec(p.alpha[netuid] ?? "0").plus(delta);
  const alpha: Record<Netuid, string> = owns(p.alpha) ? (p.alpha as Record<Netuid, string>) : own({ ...p.alpha });
  if (total.isZero()) delete alpha[netuid];
  else alpha[netuid] = raoString(total);
  return { ...p, stakes, alpha };
}

/**
 * Several position changes for one player: the same result as folding `withPosition` over them
 * in order (same amounts, same key order), but the player's records are copied once, not once per
 * change. Settling a round's payouts credits many (subnet, validator) positions of one player.
 */
export function withPositions(p: Player, changes: Iterable<readonly [Netuid, PlayerId, Dec]>): Player {
  let stakes: Record<Netuid, Record<PlayerId, string>> | null = null;
  let alpha: Record<Netuid, string> | null = null;
  let root: Dec | null = null;
  for (const change of changes) {
    const netuid = change[0];
    const validator = change[1];
    const delta = change[2];
    if (delta.isZero()) continue;
    if (stakes === null) stakes = { ...p.stakes } as Record<Netuid, Record<PlayerId, string>>;
    let book = stakes[netuid];
    // A book still shared with `p` (or none) is copied before the first write: a copy is a new object.
    if (book === undefined || book === p.stakes[netuid]) book = { ...(book ?? {}) };
    const held = book[validator];
    const next = (held === undefined ? ZERO : dec(held)).plus(delta);
    if (next.isNeg()) throw new Error(`ledger: negative position ${p.id}/${netuid}/${validator}`);
    const nextString = next.isZero() ? null : raoString(next);
    if (nextString === null) {
      delete book[validator];
      if (Object.keys(book).length === 0) delete stakes[netuid];
      else stakes[netuid] = book;
    } else {
      book[validator] = nextString;
      stakes[netuid] = book;
    }
    if (netuid === ROOT_NETUID) {
      root = (root ?? dec(p.rootStake)).plus(delta);
    } else {
      if (alpha === null) alpha = { ...p.alpha };
      const was = alpha[netuid];
      if (was === held) {
        // The summary held what the position held (typically its only position on the subnet):
        // the same sum, already computed and written.
        if (nextString === null) delete alpha[netuid];
        else alpha[netuid] = nextString;
      } else {
        const total = dec(was ?? "0").plus(delta);
        if (total.isZero()) delete alpha[netuid];
        else alpha[netuid] = raoString(total);
      }
    }
  }
  if (stakes === null) return p;
  return withAccounts(p, stakes, root === null ? p.rootStake : raoString(root), alpha ?? p.alpha);
}

/** Every field of a Player, in the order newPlayer writes them. */
type PlayerField = "id" | "name" | "role" | "npc" | "tao" | "rootStake" | "alpha" | "stakes" | "take" | "rootClaim" | "effort" | "affiliation" | "joinedRound" | "granted";
/** Fails to compile, naming the field, when Player gains one withAccounts does not copy: add it there and to PlayerField. */
type UncopiedPlayerField = Exclude<keyof Player, PlayerField>;
const playerFieldsCovered: [UncopiedPlayerField] extends [never] ? true : { addToWithAccounts: UncopiedPlayerField } = true;
void playerFieldsCovered;

/**
 * `{ ...p, stakes, rootStake, alpha }`, written out field by field. Players come in many shapes
 * (hidden classes), which makes a spread of one slow; a literal is one shape. Same fields, same
 * values, same key order as newPlayer's (which every player's spreads preserve).
 */
function withAccounts(p: Player, stakes: Player["stakes"], rootStake: string, alpha: Player["alpha"]): Player {
  return {
    id: p.id, name: p.name, role: p.role, npc: p.npc, tao: p.tao, rootStake, alpha, stakes, take: p.take, rootClaim: p.rootClaim,
    effort: p.effort, affiliation: p.affiliation, joinedRound: p.joinedRound, granted: p.granted,
  };
}

/** Drop every position on a subnet (after deregistration). */
export function withoutSubnet(p: Player, netuid: Netuid): Player {
  if (!p.stakes[netuid] && !p.alpha[netuid]) return p;
  const stakes = { ...p.stakes };
  delete stakes[netuid];
  const alpha = { ...p.alpha };
  delete alpha[netuid];
  return { ...p, stakes, alpha };
}

/** Positions on a subnet, largest first (ties by validator id), for unstaking without a named validator. */
export function positionsLargestFirst(p: Player, netuid: Netuid): [PlayerId, Dec][] {
  return Object.entries(p.stakes[netuid] ?? {})
    .map(([v, s]) => [v, dec(s)] as [PlayerId, Dec])
    .sort((a, b) => (b[1].cmp(a[1]) || (a[0] < b[0] ? -1 : 1)));
}
