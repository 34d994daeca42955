/**
 * Splitting a subnet's alpha_out for the round (§5) and paying it out through Yuma (§6):
 * owner cut, miners by incentive, validators by dividends after their take, nominators pro rata,
 * and root's share by root_prop (sold for TAO, or claimable alpha under Taoflow).
 *
 * Works on a mutable ledger that resolveRound owns for the length of one resolution (the state
 * passed in is never touched); each player update still goes through ledger.ts.
 */
import { amt, dec, type Dec, floorRao, ZERO } from "./decimal.js";
import { withPosition } from "./ledger.js";
import { npcMinerWeights } from "./npc.js";
import { swapAlphaForTao, type SwapParams } from "./pool.js";
import type { Rng } from "./rng.js";
import { signalSigma } from "./signals.js";
import { proRata, proRataNum } from "./split.js";
import { MINERS_ID, type Netuid, type Player, type PlayerId, ROOT_NETUID, type Subnet, type WeightBook } from "./state.js";
import { runYuma } from "./yuma.js";

export interface Ledger {
  players: Record<PlayerId, Player>;
  subnets: Record<Netuid, Subnet>;
  /**
   * Credits not yet written to positions, summed per (player, netuid, validator): a validator's take
   * and its share as its own nominator, or root TAO from many subnets, become one position update.
   * Payout code reads only takes and claim modes from players, never positions, so deferring is safe.
   */
  pending?: Map<PlayerId, Map<string, Dec>>;
}

const KEY_SEP = "\u0000";

/** Write every pending credit to the players' positions. */
export function settle(ledger: Ledger): void {
  if (!ledger.pending) return;
  for (const [id, credits] of ledger.pending) {
    let p = ledger.players[id];
    for (const [key, amount] of credits) {
      const i = key.indexOf(KEY_SEP);
      p = withPosition(p, key.slice(0, i), key.slice(i + 1), amount);
    }
    ledger.players[id] = p;
  }
  ledger.pending.clear();
}

/** netuid -> validator -> nominator -> position, taken once before the payouts. */
export type NominatorIndex = Map<Netuid, Map<PlayerId, Map<PlayerId, Dec>>> & {
  /** netuid -> validator -> total stake through it, as a float (for stake weights). */
  totals?: Map<Netuid, Map<PlayerId, number>>;
};

export function nominatorIndex(players: Record<PlayerId, Player>, order: readonly PlayerId[]): NominatorIndex {
  const idx: NominatorIndex = new Map();
  const totals = new Map<Netuid, Map<PlayerId, number>>();
  idx.totals = totals;
  for (const id of order) {
    const stakes = players[id].stakes;
    for (const netuid in stakes) {
      let byV = idx.get(netuid);
      if (!byV) idx.set(netuid, (byV = new Map()));
      const book = stakes[netuid];
      for (const v in book) {
        let noms = byV.get(v);
        if (!noms) byV.set(v, (noms = new Map()));
        noms.set(id, dec(book[v]));
        let t = totals.get(netuid);
        if (!t) totals.set(netuid, (t = new Map()));
        t.set(v, (t.get(v) ?? 0) + Number(book[v]));
      }
    }
  }
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
  if (!credits) ledger.pending.set(id, (credits = new Map()));
  const key = netuid + KEY_SEP + validator;
  const prev = credits.get(key);
  credits.set(key, prev ? prev.plus(amount) : amount);
}

/** Pay `amount` (alpha on `netuid`, or TAO on root) earned by validator `v`: take first, then its nominators pro rata. */
export function payValidator(ledger: Ledger, netuid: Netuid, v: PlayerId, amount: Dec, nominators: ReadonlyMap<PlayerId, Dec> | undefined): void {
  if (amount.lte(0)) return;
  const take = floorRao(amount.mul(ledger.players[v].take ?? "0")); // rounds down: the nominators keep the dust
  const rest = amount.minus(take);
  const parts = nominators ? proRata(rest, nominators) : new Map<PlayerId, Dec>();
  if (parts.size === 0) credit(ledger, v, netuid, v, rest);
  else for (const [n, part] of parts) credit(ledger, n, netuid, v, part);
  credit(ledger, v, netuid, v, take);
}

/** Per-round facts about each validator that every subnet's payout needs (computed once). */
export interface ValidatorBook {
  /** taoWeight × root stake through the validator, as a float for stake weights. */
  readonly rootWeighted: ReadonlyMap<PlayerId, number>;
  /** Taoflow keep-mode root nominators per validator (empty under autoSellTAO). */
  readonly keepers: ReadonlyMap<PlayerId, { readonly keepers: Map<PlayerId, Dec>; readonly fraction: number }>;
}

export function validatorBook(ledger: Ledger, idx: NominatorIndex, validators: readonly PlayerId[], taoWeight: number, rootPayout: "autoSellTAO" | "claimAlpha"): ValidatorBook {
  const rootWeighted = new Map<PlayerId, number>();
  const keepers = new Map<PlayerId, { keepers: Map<PlayerId, Dec>; fraction: number }>();
  const rootByV = idx.get(ROOT_NETUID);
  for (const v of validators) {
    const noms = rootByV?.get(v);
    const total = sumOf(noms);
    const t = idx.totals?.get(ROOT_NETUID)?.get(v) ?? 0;
    if (t > 0) rootWeighted.set(v, t * taoWeight);
    if (rootPayout === "claimAlpha" && noms) {
      const keep = new Map<PlayerId, Dec>();
      for (const [n, amount] of noms) if (ledger.players[n].rootClaim === "keep") keep.set(n, amount);
      if (keep.size > 0) keepers.set(v, { keepers: keep, fraction: sumOf(keep).div(total).toNumber() });
    }
  }
  return { rootWeighted, keepers };
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
  /** Revealed weights of people; NPC validators weigh miners honestly through noise. */
  weights: WeightBook;
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
  dividends: Record<PlayerId, number>;
  bonds: Record<PlayerId, Record<string, number>>;
}

/**
 * Mint and pay one subnet's alpha_out. Root's TAO is owed per validator; it is accumulated in
 * `rootOwed` (float weights) and `rootTaoTotal` (exact), and paid once for all subnets by payRootTao.
 */
export function paySubnet(
  ledger: Ledger, idx: NominatorIndex, input: SubnetPayoutInput, rng: Rng,
  rootOwed: Map<PlayerId, number>, rootTaoTotal: { value: Dec },
): SubnetPayout {
  const { netuid, alphaOut } = input;
  let s = ledger.subnets[netuid];
  const owner = floorRao(alphaOut.mul(input.ownerCut)); // rounds down; the remainder stays with miners/validators
  const rest = alphaOut.minus(owner);
  let minersPot = floorRao(rest.div(2));
  let valTotal = rest.minus(minersPot);
  // root_prop = w·T_root / (w·T_root + AlphaIssuance_i) (§5).
  const wRoot = input.totalRootStake.mul(input.taoWeight);
  const rootProp = wRoot.isZero() ? ZERO : wRoot.div(wRoot.plus(s.alphaIssued));
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
  // Validator permits: the top K by stake weight (ties by id) take part (§6.2).
  const candidates: [PlayerId, number][] = [];
  for (const v of input.validators) {
    const sv = (alphaOf.get(v) ?? 0) + (input.book.rootWeighted.get(v) ?? 0);
    if (sv > 0) candidates.push([v, sv]);
  }
  if (candidates.length > input.maxValidators) {
    candidates.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    candidates.length = input.maxValidators;
  }
  const stake: Record<string, number> = {};
  const weights: Record<string, Record<string, number>> = {};
  for (const [v, sv] of candidates) {
    stake[v] = sv;
    if (ledger.players[v].npc === "validator") weights[v] = npcMinerWeights(s, rng, signalSigma(input.signalNoise, sv));
    else {
      const w = input.weights[v]?.[netuid];
      if (w) weights[v] = w as Record<string, number>;
    }
  }
  const miners = s.minerSkill.map((_, uid) => String(uid));
  const yuma = runYuma({
    stake, weights, miners, kappa: input.kappa, lean: true,
    ...(input.bondAlpha > 0 ? { bondAlpha: input.bondAlpha, bonds: input.bonds ?? {} } : {}),
  });
  let incentiveSum = 0;
  for (const k in yuma.incentive) incentiveSum += yuma.incentive[k];
  let dividends = yuma.dividends;
  if (incentiveSum <= 0) {
    // Nobody ranked the miners: validators take the miner half too (§5), paid by active stake (§6.7).
    valPot = valPot.plus(minersPot);
    minersPot = ZERO;
    dividends = { ...stake };
  }
  let dividendSum = 0;
  for (const k in dividends) if (dividends[k] > 0) dividendSum += dividends[k];

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
    const alphaW = new Map<PlayerId, number>();
    const rootW = new Map<PlayerId, number>();
    const dW = new Map<PlayerId, number>();
    for (const v in dividends) {
      const d = dividends[v];
      if (!(d > 0)) continue;
      dW.set(v, d);
      const a = alphaOf.get(v) ?? 0;
      const r = input.book.rootWeighted.get(v) ?? 0;
      if (a + r <= 0) { alphaW.set(v, d); continue; }
      if (a > 0) alphaW.set(v, (d * a) / (a + r));
      if (r > 0) rootW.set(v, (d * r) / (a + r));
    }
    for (const [v, x] of proRataNum(valPot, alphaW.size > 0 ? alphaW : dW)) payValidator(ledger, netuid, v, x, byV?.get(v));
    if (rootAlpha.gt(0)) {
      const rootShares = rootW.size > 0 ? rootW : dW;
      // Taoflow keep-mode claimants take their part as alpha; everything else is sold fee-free for TAO.
      let toSell = rootAlpha;
      const sellWeights = new Map(rootShares);
      let sellTotal = 0;
      for (const w of rootShares.values()) sellTotal += w;
      if (input.book.keepers.size > 0) {
        for (const [v, y] of proRataNum(rootAlpha, rootShares)) {
          const k = input.book.keepers.get(v);
          if (!k) continue;
          const keepAlpha = floorRao(y.mul(k.fraction)); // rounds down: the rest is sold
          const take = floorRao(keepAlpha.mul(ledger.players[v].take ?? "0"));
          for (const [n, part] of proRata(keepAlpha.minus(take), k.keepers)) credit(ledger, n, netuid, v, part);
          credit(ledger, v, netuid, v, take);
          toSell = toSell.minus(keepAlpha);
          sellWeights.set(v, (sellWeights.get(v) ?? 0) * (1 - k.fraction));
        }
        sellTotal = 0;
        for (const w of sellWeights.values()) sellTotal += w;
      }
      if (toSell.gt(0)) {
        // The alpha is minted as stake, then sold into the pool: AlphaOut does not grow by it.
        const q = swapAlphaForTao(s, toSell, input.protocol);
        if (q.ok) {
          s = { ...s, taoReserve: q.value.pool.taoReserve, alphaReserve: q.value.pool.alphaReserve };
          rootTao = q.value.amountOut;
          rootTaoTotal.value = rootTaoTotal.value.plus(rootTao);
          const t = rootTao.toNumber();
          for (const [v, w] of sellWeights) if (w > 0) rootOwed.set(v, (rootOwed.get(v) ?? 0) + (t * w) / sellTotal);
        } else {
          // The pool cannot absorb the sale (reserve floor): root validators keep the alpha as stake instead.
          for (const [v, y] of proRataNum(toSell, sellWeights)) credit(ledger, v, netuid, v, y);
        }
      }
    }
  }
  s = recount(s, alphaOut.minus(rootLostAlpha));
  ledger.subnets[netuid] = s;
  return {
    owner, miners: minersPot, validators: valPot, rootAlpha, rootTao, rootLostAlpha,
    incentive: yuma.incentive, consensus: yuma.consensus, dividends, bonds: yuma.bonds,
  };
}

/**
 * After the payouts: alpha issuance grows by what was minted; AlphaOut is recounted as issued
 * minus reserve (what root sold went into the reserve, so reserve + out = issued still holds).
 */
function recount(s: Subnet, minted: Dec): Subnet {
  const issued = dec(s.alphaIssued).plus(minted);
  const out = issued.minus(s.alphaReserve);
  return { ...s, alphaIssued: amt(issued), alphaOut: amt(out), price: amt(dec(s.taoReserve).div(s.alphaReserve)) };
}

/**
 * Pay root's TAO, summed exactly over all subnets, to each validator in proportion to what it is
 * owed, then after its take to its root nominators (swap-mode ones under Taoflow).
 */
export function payRootTao(ledger: Ledger, idx: NominatorIndex, rootOwed: ReadonlyMap<PlayerId, number>, rootTaoTotal: Dec, book: ValidatorBook): void {
  const rootByV = idx.get(ROOT_NETUID);
  for (const [v, t] of proRataNum(rootTaoTotal, rootOwed)) {
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
