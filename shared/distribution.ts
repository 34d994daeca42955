/**
 * Splitting a subnet's alpha_out for the round (§5) and paying it out through Yuma (§6):
 * owner cut, miners by incentive, validators by dividends after their take, nominators pro rata,
 * and root's share by root_prop (sold for TAO, or claimable alpha under Taoflow).
 *
 * Works on a mutable ledger that resolveRound owns for the length of one resolution (the state
 * passed in is never touched); each player update still goes through ledger.ts.
 */
import { amt, amtKept, dec, type Dec, Decimal, floorRao, floorRaoDiv, ZERO } from "./decimal.js";

const HALF = new Decimal("0.5");
import { withPositions } from "./ledger.js";
import { npcMinerWeightList } from "./npc.js";
import { fillSwap, type SwapParams } from "./pool.js";
import type { Rng } from "./rng.js";
import { signalSigma } from "./signals.js";
import { proRata, proRataEach, proRataNum, proRataNumList } from "./split.js";
import { MINERS_ID, type Netuid, type Player, type PlayerId, ROOT_NETUID, type Subnet, type WeightBook } from "./state.js";
import { propKey } from "./keys.js";
import { runYuma } from "./yuma.js";

export interface Ledger {
  players: Record<PlayerId, Player>;
  subnets: Record<Netuid, Subnet>;
  /**
   * Credits not yet written to positions, summed per (player, netuid, validator): a validator's take
   * and its share as its own nominator, or root TAO from many subnets, become one position update.
   * Payout code reads only takes and claim modes from players, never positions, so deferring is safe.
   */
  pending?: Map<PlayerId, Credits>;
  /** Σ of the root (TAO) credits through each validator, pending or settled. */
  rootCredited?: Map<PlayerId, Dec>;
}

/** One pending credit: [netuid, validator, amount]. */
type Credit = [Netuid, PlayerId, Dec];

/**
 * One player's pending credits, one per (netuid, validator), in the order first credited. Most
 * players have a few, found by a scan; past INDEX_FROM an index by netuid + KEY_SEP + validator
 * finds them.
 */
interface Credits {
  readonly list: Credit[];
  index: Map<string, Credit> | null;
}

const KEY_SEP = "\u0000";
const INDEX_FROM = 8;

/** What the payouts added to one player: alpha per subnet and TAO on root (credits are positive). */
export interface Gains {
  alpha: Map<Netuid, Dec>;
  root: Dec;
}

/**
 * Write every pending credit to the players' positions (one copy of each player's records), and
 * return what each credited player gained: exactly its positions after minus before.
 */
export function settle(ledger: Ledger): Map<PlayerId, Gains> {
  const gains = new Map<PlayerId, Gains>();
  if (!ledger.pending) return gains;
  ledger.pending.forEach((credits, id) => {
    const g: Gains = { alpha: new Map(), root: ZERO };
    const list = credits.list;
    for (let i = 0; i < list.length; i++) {
      const netuid = list[i][0];
      const amount = list[i][2];
      if (netuid === ROOT_NETUID) g.root = g.root === ZERO ? amount : g.root.plus(amount); // 0 + x is x
      else {
        const prev = g.alpha.get(netuid);
        g.alpha.set(netuid, prev ? prev.plus(amount) : amount);
      }
    }
    gains.set(id, g);
    ledger.players[id] = withPositions(ledger.players[id], list);
  });
  ledger.pending.clear();
  return gains;
}

/** netuid -> validator -> nominator -> position, taken once before the payouts. */
export type NominatorIndex = Map<Netuid, Map<PlayerId, Map<PlayerId, Dec>>> & {
  /** netuid -> validator -> total stake through it, as a float (for stake weights). */
  totals?: Map<Netuid, Map<PlayerId, number>>;
  /** Σ of the players' `rootStake`, in player order: totalRootStake of the same players. */
  rootStakeTotal?: Dec;
};

export function nominatorIndex(players: Record<PlayerId, Player>, order: readonly PlayerId[]): NominatorIndex {
  // One entry per (netuid, validator) while scanning: its nominators and their stake as a float sum.
  const books = new Map<Netuid, Map<PlayerId, { noms: Map<PlayerId, Dec>; total: number }>>();
  let rootStakeTotal = dec(0);
  for (const id of order) {
    const p = players[id];
    if (p.rootStake !== "0") rootStakeTotal = rootStakeTotal.plus(dec(p.rootStake)); // as totalRootStake sums them
    const stakes = p.stakes;
    for (const netuid in stakes) {
      let byV = books.get(netuid);
      if (!byV) books.set(netuid, (byV = new Map()));
      const book = stakes[netuid];
      for (const v in book) {
        let e = byV.get(v);
        if (!e) byV.set(v, (e = { noms: new Map(), total: 0 }));
        const amount = book[v];
        e.noms.set(id, dec(amount));
        e.total += Number(amount); // in player order
      }
    }
  }
  const idx: NominatorIndex = new Map();
  const totals = new Map<Netuid, Map<PlayerId, number>>();
  for (const [netuid, byV] of books) {
    const noms = new Map<PlayerId, Map<PlayerId, Dec>>();
    idx.set(netuid, noms);
    let t: Map<PlayerId, number> | undefined;
    for (const [v, e] of byV) {
      noms.set(v, e.noms);
      if (!t) totals.set(netuid, (t = new Map()));
      t.set(v, e.total);
    }
  }
  idx.totals = totals;
  idx.rootStakeTotal = rootStakeTotal;
  return idx;
}

function sumOf(m: ReadonlyMap<unknown, Dec> | undefined): Dec {
  let s = ZERO;
  if (m) for (const v of m.values()) s = s.plus(v);
  return s;
}

export function credit(ledger: Ledger, id: PlayerId, netuid: Netuid, validator: PlayerId, amount: Dec): void {
  if (amount.lte(0)) return;
  if (!ledger.pending) ledger.pending = new Map();
  let credits = ledger.pending.get(id);
  if (!credits) ledger.pending.set(id, (credits = { list: [], index: null }));
  const list = credits.list;
  let prev: Credit | undefined;
  if (credits.index) prev = credits.index.get(netuid + KEY_SEP + validator);
  else {
    for (let i = 0; i < list.length; i++) {
      if (list[i][0] === netuid && list[i][1] === validator) {
        prev = list[i];
        break;
      }
    }
  }
  if (prev) prev[2] = prev[2].plus(amount);
  else {
    const c: Credit = [netuid, validator, amount];
    list.push(c);
    if (credits.index) credits.index.set(netuid + KEY_SEP + validator, c);
    else if (list.length > INDEX_FROM) credits.index = new Map(list.map((x) => [x[0] + KEY_SEP + x[1], x]));
  }
  if (netuid === ROOT_NETUID) {
    if (!ledger.rootCredited) ledger.rootCredited = new Map();
    const sum = ledger.rootCredited.get(validator);
    ledger.rootCredited.set(validator, sum ? sum.plus(amount) : amount);
  }
}

/** Pay `amount` (alpha on `netuid`, or TAO on root) earned by validator `v`: take first, then its nominators pro rata. */
export function payValidator(ledger: Ledger, netuid: Netuid, v: PlayerId, amount: Dec, nominators: ReadonlyMap<PlayerId, Dec> | undefined): void {
  if (amount.lte(0)) return;
  const takeRate = ledger.players[v].take ?? "0";
  if ((!nominators || nominators.size === 0 || (nominators.size === 1 && nominators.has(v))) && dec(takeRate).lte(1)) {
    // Nobody else to pay: the take and the rest (both ≥ 0 for a take ≤ 1) go to the same position of v: one credit.
    credit(ledger, v, netuid, v, amount);
    return;
  }
  const take = floorRao(amount.mul(dec(takeRate))); // rounds down: the nominators keep the dust
  const rest = amount.minus(take);
  const parts = nominators ? proRataEach(rest, nominators, (n, part) => credit(ledger, n, netuid, v, part)) : 0;
  if (parts === 0) credit(ledger, v, netuid, v, rest);
  credit(ledger, v, netuid, v, take);
}

/**
 * Root's TAO owed per validator, as float weights summed over the subnets: a map from validator
 * to its sum, in the order validators were first owed (the order payRootTao pays in), kept as
 * plain lists while the subnets add to it.
 */
export class RootOwed {
  private readonly ids: PlayerId[] = [];
  private readonly owed: number[] = [];
  private readonly at = new Map<PlayerId, number>();

  /** owed[v] ← (owed[v] ?? 0) + x */
  add(v: PlayerId, x: number): void {
    let i = this.at.get(v);
    if (i === undefined) {
      i = this.ids.length;
      this.at.set(v, i);
      this.ids.push(v);
      this.owed.push(0);
    }
    this.owed[i] += x;
  }

  toMap(): Map<PlayerId, number> {
    const m = new Map<PlayerId, number>();
    for (let i = 0; i < this.ids.length; i++) m.set(this.ids[i], this.owed[i]);
    return m;
  }
}

/** Per-round facts about each validator that every subnet's payout needs (computed once). */
export interface ValidatorBook {
  /** taoWeight × root stake through the validator, as a float for stake weights. */
  readonly rootWeighted: ReadonlyMap<PlayerId, number>;
  /** Taoflow keep-mode root nominators per validator (empty under autoSellTAO). */
  readonly keepers: ReadonlyMap<PlayerId, { readonly keepers: Map<PlayerId, Dec>; readonly fraction: number }>;
  /** The validators the book was made for, and those with positive `rootWeighted`, by it descending (ties by id). */
  readonly validators: ReadonlySet<PlayerId>;
  readonly byRootWeight: readonly (readonly [PlayerId, number])[];
  /** Root stake through each validator with some (Σ of its root positions, exact). */
  readonly rootStake: ReadonlyMap<PlayerId, Dec>;
  /** Each validator's place in id (string) order, the order Yuma works in. */
  readonly idRank: ReadonlyMap<PlayerId, number>;
  /**
   * Whether some id is an array index ("7", "42"): a record lists such keys first, so a record
   * keyed by validator is then not in id order.
   */
  readonly indexLikeIds: boolean;
  /**
   * Each validator's revealed weights book (netuid → target → weight), when it has one: what a
   * subnet's payout reads for people (NPC validators weigh miners honestly through noise).
   */
  readonly weightBooks: ReadonlyMap<PlayerId, Readonly<Record<string | number, Readonly<Record<string, number>>>>>;
}

const ARRAY_INDEX = /^(0|[1-9]\d*)$/;

function isArrayIndex(k: string): boolean {
  return ARRAY_INDEX.test(k) && Number(k) < 2 ** 32 - 1;
}

/**
 * The order a plain object keyed by `keys[0…n)` lists them: array indices ascending, then the rest
 * as given. Returns the positions in that order, or null when it is the given order.
 */
function recordOrder(keys: readonly PlayerId[], n: number, indexLike: boolean): number[] | null {
  if (!indexLike) return null;
  const first: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < n; i++) (isArrayIndex(keys[i]) ? first : rest).push(i);
  if (first.length === 0) return null;
  first.sort((a, b) => Number(keys[a]) - Number(keys[b]));
  return [...first, ...rest];
}

/** Permit order: stake weight descending, ties by id (a strict total order, ids being unique). */
function byStakeWeight(x: readonly [PlayerId, number, ...number[]], y: readonly [PlayerId, number, ...number[]]): number {
  return y[1] - x[1] || (x[0] < y[0] ? -1 : 1);
}

/** byStakeWeight(x, y) < 0, for x and y given as id and weight. */
function beforeByStakeWeight(xId: PlayerId, xW: number, yId: PlayerId, yW: number): boolean {
  return (yW - xW || (xId < yId ? -1 : 1)) < 0;
}

export function validatorBook(
  ledger: Ledger, idx: NominatorIndex, validators: readonly PlayerId[], taoWeight: number, rootPayout: "autoSellTAO" | "claimAlpha",
  weights: WeightBook = {},
): ValidatorBook {
  const rootWeighted = new Map<PlayerId, number>();
  const keepers = new Map<PlayerId, { keepers: Map<PlayerId, Dec>; fraction: number }>();
  const rootByV = idx.get(ROOT_NETUID);
  const rootStake = new Map<PlayerId, Dec>();
  for (const v of validators) {
    const noms = rootByV?.get(v);
    const total = sumOf(noms);
    if (noms) rootStake.set(v, total);
    const t = idx.totals?.get(ROOT_NETUID)?.get(v) ?? 0;
    if (t > 0) rootWeighted.set(v, t * taoWeight);
    if (rootPayout === "claimAlpha" && noms) {
      const keep = new Map<PlayerId, Dec>();
      for (const [n, amount] of noms) if (ledger.players[n].rootClaim === "keep") keep.set(n, amount);
      if (keep.size > 0) keepers.set(v, { keepers: keep, fraction: sumOf(keep).div(total).toNumber() });
    }
  }
  const byRootWeight = [...rootWeighted].filter(([, w]) => w > 0).sort(byStakeWeight);
  const idRank = new Map([...new Set(validators)].sort().map((v, i) => [v, i] as const));
  const weightBooks = new Map<PlayerId, Readonly<Record<string, Readonly<Record<string, number>>>>>();
  for (const v of validators) {
    const b = Object.hasOwn(weights, v) ? weights[v] : undefined;
    if (b) weightBooks.set(v, b);
  }
  return {
    rootWeighted, keepers, validators: new Set(validators), byRootWeight, rootStake, idRank, indexLikeIds: validators.some(isArrayIndex), weightBooks,
  };
}

/**
 * Scratch lists of one paySubnet call (a call never re-enters itself): the permitted validators
 * (id, stake weight) in permit order, their weight rows, and the dividend lists. Only the first
 * `n` entries of a call are ever read; entries past them are stale.
 */
const permIds: PlayerId[] = [];
const permStake: number[] = [];
/** Its two parts: alpha stake through the validator on the subnet, and taoWeight × root stake. */
const permAlpha: number[] = [];
const permRoot: number[] = [];
const permRows: (Record<string, number> | Float64Array | undefined)[] = [];
/** Rows for NPC validators' drawn weights, by permit index: Yuma reads them within the call, so they are reused. */
const npcRows: Float64Array[] = [];
function npcRow(i: number, miners: number): Float64Array {
  let row = npcRows[i];
  if (!row || row.length !== miners) npcRows[i] = row = new Float64Array(miners);
  return row;
}
let slotScratch = new Int32Array(64);

/** Dividend lists of one paySubnet call: validators and weights (plain doubles, as the lists held). */
const dKeyScratch: PlayerId[] = [];
const aKeyScratch: PlayerId[] = [];
const rKeyScratch: PlayerId[] = [];
let dValScratch = new Float64Array(64);
let aValScratch = new Float64Array(64);
let rValScratch = new Float64Array(64);
let sellScratch = new Float64Array(64);

function ensureDividendScratch(n: number): void {
  if (dValScratch.length >= n) return;
  const m = Math.max(n, 2 * dValScratch.length);
  dValScratch = new Float64Array(m);
  aValScratch = new Float64Array(m);
  rValScratch = new Float64Array(m);
  sellScratch = new Float64Array(m);
}

/** w·T_root: the same two Decimals for every subnet of a round, so the last product is kept. */
let lastWeightedRoot: { total: Dec; weight: Dec; product: Dec } | null = null;
function weightedRoot(total: Dec, weight: Dec): Dec {
  if (lastWeightedRoot && lastWeightedRoot.total === total && lastWeightedRoot.weight === weight) return lastWeightedRoot.product;
  const product = total.mul(weight);
  lastWeightedRoot = { total, weight, product };
  return product;
}

/** Miner uids "0"…"n−1" (shared and frozen, so Yuma may keep what it derives from one). */
const uidLists: string[][] = [];
function minerUids(n: number): string[] {
  let l = uidLists[n];
  if (!l) uidLists[n] = l = Object.freeze(Array.from({ length: n }, (_, uid) => String(uid))) as string[];
  return l;
}

/**
 * The validators that take part in a subnet's Yuma: every validator with stake weight
 * S = alpha + w·root > 0, in registration order; when there are more than `max`, the top `max`
 * by S (ties by id), in that order. Root weight is the same on every subnet, so instead of
 * sorting all validators per subnet, the few with alpha on this subnet are sorted and merged
 * into the book's root-weight order: the same list a full sort gives.
 * Written to permIds/permStake; returns how many.
 */
function permitted(validators: readonly PlayerId[], alphaOf: ReadonlyMap<PlayerId, number>, book: ValidatorBook, max: number): number {
  const withAlpha: [PlayerId, number, number, number][] = []; // id, S, alpha, root
  let count = book.byRootWeight.length;
  for (const [v, a] of alphaOf) {
    if (!book.validators.has(v)) continue;
    const r = book.rootWeighted.get(v) ?? 0;
    const sv = a + r;
    if (!(sv > 0)) continue;
    withAlpha.push([v, sv, a, r]);
    if (!(r > 0)) count++;
  }
  let n = 0;
  if (count <= max) {
    for (let i = 0; i < validators.length; i++) {
      const v = validators[i];
      const a = alphaOf.get(v) ?? 0;
      const r = book.rootWeighted.get(v) ?? 0;
      const sv = a + r;
      if (sv > 0) {
        permIds[n] = v;
        permStake[n] = sv;
        permAlpha[n] = a;
        permRoot[n] = r;
        n++;
      }
    }
    return n;
  }
  withAlpha.sort(byStakeWeight);
  const ranked = book.byRootWeight;
  let i = 0;
  let k = 0;
  while (n < max) {
    while (i < ranked.length && alphaOf.has(ranked[i][0])) i++; // those are in withAlpha, with their alpha added
    const a = k < withAlpha.length ? withAlpha[k] : undefined;
    const b = i < ranked.length ? ranked[i] : undefined;
    if (!a && !b) break;
    if (a && (!b || beforeByStakeWeight(a[0], a[1], b[0], b[1]))) {
      permIds[n] = a[0];
      permStake[n] = a[1];
      permAlpha[n] = a[2];
      permRoot[n] = a[3];
      k++;
    } else {
      permIds[n] = b![0];
      permStake[n] = b![1];
      permAlpha[n] = 0; // not in alphaOf
      permRoot[n] = b![1];
      i++;
    }
    n++;
  }
  return n;
}

export interface SubnetPayoutInput {
  netuid: Netuid;
  alphaOut: Dec;
  ownerCut: Dec;
  taoWeight: Dec;
  totalRootStake: Dec;
  /** Root's share is lost this round (RS2 subsidised subnet). */
  rootLost: boolean;
  /** Root takes no dividends this round (RS3 when Σ price EMA ≤ 1): the subnet's validators keep them. */
  rootSuppressed: boolean;
  validators: readonly PlayerId[];
  /** Validator permits per subnet (top K by stake weight). */
  maxValidators: number;
  book: ValidatorBook;
  kappa: number;
  bondAlpha: number;
  bonds: Record<PlayerId, Record<string, number>> | undefined;
  signalNoise: number;
  protocol: SwapParams;
}

export interface SubnetPayout {
  owner: Dec;
  miners: Dec;
  validators: Dec;
  rootAlpha: Dec;
  /** TAO root's alpha fetched when sold. */
  rootTao: Dec;
  /** Alpha of root's share that was not minted (RS2 subsidy). */
  rootLostAlpha: Dec;
  incentive: Record<string, number>;
  consensus: Record<string, number>;
  bonds: Record<PlayerId, Record<string, number>>;
}

/**
 * Mint and pay one subnet's alpha_out. Root's TAO is owed per validator; it is accumulated in
 * `rootOwed` (float weights) and `rootTaoTotal` (exact), and paid once for all subnets by payRootTao.
 */
export function paySubnet(
  ledger: Ledger, idx: NominatorIndex, input: SubnetPayoutInput, rng: Rng,
  rootOwed: RootOwed, rootTaoTotal: { value: Dec },
): SubnetPayout {
  const { netuid, alphaOut } = input;
  let s = ledger.subnets[netuid];
  const owner = floorRao(alphaOut.mul(input.ownerCut)); // rounds down; the remainder stays with miners/validators
  const rest = alphaOut.minus(owner);
  let minersPot = floorRao(rest.times(HALF)); // = rest ÷ 2, exactly
  let valTotal = rest.minus(minersPot);
  // root_prop = w·T_root / (w·T_root + AlphaIssuance_i) (§5).
  const wRoot = weightedRoot(input.totalRootStake, input.taoWeight);
  const rootProp = wRoot.isZero() ? ZERO : wRoot.div(wRoot.plus(dec(s.alphaIssued)));
  let rootAlpha = floorRao(valTotal.mul(rootProp)); // rounds down
  let rootLostAlpha = ZERO;
  if (input.rootLost) {
    rootLostAlpha = rootAlpha;
    valTotal = valTotal.minus(rootAlpha);
    rootAlpha = ZERO;
  } else if (input.rootSuppressed) {
    rootAlpha = ZERO;
  }
  let valPot = valTotal.minus(rootAlpha);

  // Stake weight per validator on this subnet: S = alpha + w·root (§6.1), as floats for Yuma.
  const byV = idx.get(netuid);
  const alphaOf: ReadonlyMap<PlayerId, number> = idx.totals?.get(netuid) ?? new Map();
  // Validator permits: the top K by stake weight (ties by id) take part (§6.2). (An id spelled
  // "__proto__" could never be a key of the plain records Yuma was given: it stays out.)
  let nc = permitted(input.validators, alphaOf, input.book, input.maxValidators);
  let kept = 0;
  for (let i = 0; i < nc; i++) {
    if (permIds[i] === "__proto__") continue;
    permIds[kept] = permIds[i];
    permStake[kept] = permStake[i];
    permAlpha[kept] = permAlpha[i];
    permRoot[kept] = permRoot[i];
    kept++;
  }
  nc = kept;
  // Weights in permit order (NPC validators draw theirs from the round's RNG in that order).
  const books = input.book.weightBooks;
  const netKey = propKey(netuid); // the same property, read as an element when the netuid is a small integer
  for (let i = 0; i < nc; i++) {
    const v = permIds[i];
    if (ledger.players[v].npc === "validator") permRows[i] = npcMinerWeightList(s, rng, signalSigma(input.signalNoise, permStake[i]), npcRow(i, s.minerSkill.length));
    else permRows[i] = (books.get(v)?.[netKey] as Record<string, number> | undefined) || undefined;
  }
  // Yuma works in id order: the book ranks every validator once, so the candidates sort as numbers.
  const rank = input.book.idRank;
  if (slotScratch.length < rank.size) slotScratch = new Int32Array(Math.max(rank.size, 2 * slotScratch.length));
  const slots = slotScratch; // candidate index + 1 by rank (ranks are distinct); 0 for none
  slots.fill(0, 0, rank.size);
  for (let i = 0; i < nc; i++) slots[rank.get(permIds[i])!] = i + 1;
  const ids = new Array<PlayerId>(nc);
  const idPermit = new Array<number>(nc); // the permit index of each id
  const stakeList = new Array<number>(nc);
  const weightList = new Array<Record<string, number> | Float64Array | undefined>(nc);
  for (let r = 0, k = 0; r < rank.size; r++) {
    const i = slots[r] - 1;
    if (i < 0) continue;
    ids[k] = permIds[i];
    idPermit[k] = i;
    stakeList[k] = permStake[i];
    weightList[k] = permRows[i];
    k++;
  }
  const yuma = runYuma({
    stake: {}, weights: {}, validators: ids, stakeList, weightList,
    miners: minerUids(s.minerSkill.length), kappa: input.kappa, lean: true, dividendList: true,
    ...(input.bondAlpha > 0 ? { bondAlpha: input.bondAlpha, bonds: input.bonds ?? {} } : {}),
  });
  // Σ incentive in the record's key order: the miners are "0"…"n−1", listed ascending.
  let incentiveSum = 0;
  for (let uid = 0; uid < s.minerSkill.length; uid++) incentiveSum += yuma.incentive[uid];
  // D per validator, in the order a record keyed by validator lists them: that order decides the
  // order of the payouts and of the float sums below.
  let divKeys: readonly PlayerId[];
  let divVals: readonly number[];
  let divPermit: readonly number[] | null = idPermit; // each dividend's permit index (null: the same)
  if (incentiveSum <= 0) {
    // Nobody ranked the miners: validators take the miner half too (§5), paid by active stake (§6.7).
    valPot = valPot.plus(minersPot);
    minersPot = ZERO;
    divKeys = permIds.slice(0, nc);
    divVals = permStake.slice(0, nc);
    divPermit = null;
  } else {
    divKeys = ids;
    divVals = yuma.dividendList!;
  }
  const nd = divKeys.length;
  const divOrder = recordOrder(divKeys, nd, input.book.indexLikeIds);
  let dividendSum = 0;
  for (let k = 0; k < nd; k++) {
    const d = divVals[divOrder ? divOrder[k] : k];
    if (d > 0) dividendSum += d;
  }

  credit(ledger, s.owner, netuid, s.owner, owner);
  if (!(dividendSum > 0)) {
    // No validator at all: nothing to pay validators or root with; the owner receives it (kept in the accounts).
    credit(ledger, s.owner, netuid, s.owner, valPot.plus(rootAlpha));
    valPot = ZERO;
    rootAlpha = ZERO;
  }
  credit(ledger, MINERS_ID, netuid, MINERS_ID, minersPot);

  let rootTao = ZERO;
  if (dividendSum > 0) {
    // r_h = D_h·wRoot_h/(alpha_h + wRoot_h); the alpha pot follows D_h − r_h, root's pot follows r_h (§5).
    // Parallel lists (validator, weight), in dividend order: the first nD / nA / nR entries of the
    // scratch lists.
    ensureDividendScratch(nd);
    const dKeys = dKeyScratch;
    const dVals = dValScratch;
    const aKeys = aKeyScratch;
    const aVals = aValScratch;
    const rKeys = rKeyScratch;
    const rVals = rValScratch;
    let nD = 0;
    let nA = 0;
    let nR = 0;
    for (let k = 0; k < nd; k++) {
      const i = divOrder ? divOrder[k] : k;
      const v = divKeys[i];
      const d = divVals[i];
      if (!(d > 0)) continue;
      dKeys[nD] = v;
      dVals[nD++] = d;
      const p = divPermit ? divPermit[i] : i;
      const a = permAlpha[p]; // alphaOf.get(v) ?? 0
      const r = permRoot[p]; // book.rootWeighted.get(v) ?? 0
      if (a + r <= 0) {
        aKeys[nA] = v;
        aVals[nA++] = d;
        continue;
      }
      if (a > 0) {
        aKeys[nA] = v;
        aVals[nA++] = (d * a) / (a + r);
      }
      if (r > 0) {
        rKeys[nR] = v;
        rVals[nR++] = (d * r) / (a + r);
      }
    }
    const [pKeys, pVals, nP] = nA > 0 ? [aKeys, aVals, nA] : [dKeys, dVals, nD];
    const valParts = proRataNumList(valPot, pVals, nP);
    for (let k = 0; k < valParts.length; k++) {
      const v = pKeys[valParts[k][0]];
      payValidator(ledger, netuid, v, valParts[k][1], byV?.get(v));
    }
    if (rootAlpha.gt(0)) {
      const [sKeys, shares, nS] = nR > 0 ? [rKeys, rVals, nR] : [dKeys, dVals, nD];
      // Taoflow keep-mode claimants take their part as alpha; everything else is sold fee-free for TAO.
      let toSell = rootAlpha;
      const sellWeights = sellScratch;
      let sellTotal = 0;
      for (let i = 0; i < nS; i++) {
        sellWeights[i] = shares[i];
        sellTotal += shares[i];
      }
      if (input.book.keepers.size > 0) {
        for (const [i, y] of proRataNumList(rootAlpha, shares, nS)) {
          const v = sKeys[i];
          const k = input.book.keepers.get(v);
          if (!k) continue;
          const keepAlpha = floorRao(y.mul(k.fraction)); // rounds down: the rest is sold
          const take = floorRao(keepAlpha.mul(ledger.players[v].take ?? "0"));
          for (const [n, part] of proRata(keepAlpha.minus(take), k.keepers)) credit(ledger, n, netuid, v, part);
          credit(ledger, v, netuid, v, take);
          toSell = toSell.minus(keepAlpha);
          sellWeights[i] *= 1 - k.fraction;
        }
        sellTotal = 0;
        for (let i = 0; i < nS; i++) sellTotal += sellWeights[i];
      }
      if (toSell.gt(0)) {
        // The alpha is minted as stake, then sold into the pool: AlphaOut does not grow by it.
        const q = fillSwap(false, s, toSell, input.protocol);
        if (q.ok) {
          s = { ...s, taoReserve: q.value.pool.taoReserve, alphaReserve: q.value.pool.alphaReserve };
          rootTao = q.value.amountOut;
          rootTaoTotal.value = rootTaoTotal.value.plus(rootTao);
          const t = rootTao.toNumber();
          for (let i = 0; i < nS; i++) {
            const w = sellWeights[i];
            if (w > 0) rootOwed.add(sKeys[i], (t * w) / sellTotal);
          }
        } else {
          // The pool cannot absorb the sale (reserve floor): root validators keep the alpha as stake instead.
          for (const [i, y] of proRataNumList(toSell, sellWeights, nS)) credit(ledger, sKeys[i], netuid, sKeys[i], y);
        }
      }
    }
  }
  s = recount(s, alphaOut.minus(rootLostAlpha));
  ledger.subnets[netuid] = s;
  return {
    owner, miners: minersPot, validators: valPot, rootAlpha, rootTao, rootLostAlpha,
    incentive: yuma.incentive, consensus: yuma.consensus, bonds: yuma.bonds,
  };
}

/**
 * After the payouts: alpha issuance grows by what was minted; AlphaOut is recounted as issued
 * minus reserve (what root sold went into the reserve, so reserve + out = issued still holds).
 */
function recount(s: Subnet, minted: Dec): Subnet {
  const issued = dec(s.alphaIssued).plus(minted);
  const out = issued.minus(dec(s.alphaReserve));
  return { ...s, alphaIssued: amtKept(issued), alphaOut: amtKept(out), price: amt(floorRaoDiv(dec(s.taoReserve), dec(s.alphaReserve))) };
}

/**
 * Pay root's TAO, summed exactly over all subnets, to each validator in proportion to what it is
 * owed, then after its take to its root nominators (swap-mode ones under Taoflow).
 */
export function payRootTao(ledger: Ledger, idx: NominatorIndex, rootOwed: RootOwed, rootTaoTotal: Dec, book: ValidatorBook): void {
  const rootByV = idx.get(ROOT_NETUID);
  for (const [v, t] of proRataNum(rootTaoTotal, rootOwed.toMap())) {
    let noms = rootByV?.get(v);
    const k = book.keepers.get(v);
    if (noms && k) {
      const swappers = new Map<PlayerId, Dec>();
      for (const [n, amount] of noms) if (!k.keepers.has(n)) swappers.set(n, amount);
      noms = swappers;
    }
    payValidator(ledger, ROOT_NETUID, v, t, noms);
  }
}
