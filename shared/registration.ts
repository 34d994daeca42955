/**
 * Subnet registration and deregistration (§7): a lock cost that doubles on each registration and
 * decays linearly back to the minimum, a subnet limit, immunity, pruning of the weakest non-immune
 * subnet by price EMA, and the deregistration payout of the pool's TAO to alpha holders.
 */
import { isImmune, subnetList } from "./access.js";
import type { ActionOf } from "./actions.js";
import { amt, dec, Decimal, type Dec, floorRao, ZERO } from "./decimal.js";
import { err, ok, type Result } from "./errors.js";
import { newSubnet } from "./game.js";
import { withoutSubnet, withTao } from "./ledger.js";
import { Rng } from "./rng.js";
import { cleanName } from "./text.js";
import { type GameEvent, type GameState, type Netuid, type Player, type PlayerId, ROOT_NETUID, type Subnet, type WeightBook } from "./state.js";

/** C = max(C_min, 2·C_last − C_last·(rounds since last)/I), rounded down to the rao (§7). */
export function lockCost(state: GameState): Dec {
  const cMin = dec(state.config.minLockCost);
  const last = dec(state.lastLockCost);
  const elapsed = state.round - state.lastRegistrationRound;
  const decayed = last.mul(2).minus(last.mul(elapsed).div(state.config.lockReductionRounds));
  return floorRao(Decimal.max(cMin, decayed));
}

/** The subnet registering now would replace: lowest price EMA among non-immune, ties against the older (§7). */
export function pruneCandidate(state: GameState): Subnet | undefined {
  let best: Subnet | undefined;
  for (const s of subnetList(state)) {
    if (isImmune(state, s)) continue;
    if (!best) { best = s; continue; }
    const c = dec(s.priceEma).cmp(best.priceEma);
    if (c < 0 || (c === 0 && s.registeredRound < best.registeredRound)) best = s;
  }
  return best;
}

/**
 * Dissolve a subnet: the pool's TAO goes to alpha holders in proportion to the alpha they hold
 * (largest-remainder rounding so the payouts sum to exactly T), then all its alpha is destroyed (§7).
 */
export function deregister(state: GameState, netuid: Netuid): { state: GameState; payouts: Map<PlayerId, Dec> } {
  const subnet = state.subnets[netuid];
  const pot = dec(subnet.taoReserve);
  const holders = state.playerOrder
    .map((id) => [id, dec(state.players[id].alpha[netuid] ?? "0")] as const)
    .filter(([, a]) => a.gt(0));
  const totalAlpha = holders.reduce((t, [, a]) => t.plus(a), ZERO);
  const payouts = new Map<PlayerId, Dec>();
  let recycled = ZERO;
  if (totalAlpha.isZero()) {
    recycled = pot; // nobody to pay: the TAO leaves issuance
  } else {
    const raw = holders.map(([id, a]) => {
      const exact = pot.mul(a).div(totalAlpha);
      return { id, floor: floorRao(exact), rem: exact.minus(floorRao(exact)) }; // floor, then hand out the dust
    });
    let dust = pot.minus(raw.reduce((t, r) => t.plus(r.floor), ZERO));
    const byRem = [...raw].sort((x, y) => y.rem.cmp(x.rem) || (x.id < y.id ? -1 : 1));
    const rao = new Decimal("1e-9");
    for (const r of byRem) {
      if (dust.lte(0)) break;
      r.floor = r.floor.plus(rao);
      dust = dust.minus(rao);
    }
    for (const r of raw) payouts.set(r.id, r.floor);
  }
  const players: Record<PlayerId, Player> = { ...state.players };
  for (const id of state.playerOrder) {
    let p = withoutSubnet(players[id], netuid);
    const pay = payouts.get(id);
    if (pay) p = withTao(p, pay);
    players[id] = p;
  }
  const subnets = { ...state.subnets };
  delete subnets[netuid];
  // Drop weights set on the subnet's miners and root weights pointing at it (the chain zeroes them
  // when a network is removed), since the netuid will be reused.
  const strip = (book: WeightBook): WeightBook =>
    Object.fromEntries(Object.entries(book).map(([v, byNet]) => {
      const copy: Record<Netuid, Readonly<Record<string, number>>> = { ...byNet };
      delete copy[netuid];
      if (copy[ROOT_NETUID] && netuid in copy[ROOT_NETUID]) {
        const root = { ...copy[ROOT_NETUID] };
        delete root[netuid];
        if (Object.keys(root).length === 0) delete copy[ROOT_NETUID];
        else copy[ROOT_NETUID] = root;
      }
      return [v, copy];
    }));
  // An NPC cartel's favour does not pass to whatever subnet takes the netuid next.
  for (const id of state.playerOrder) {
    const p = players[id];
    if (p.affiliation.includes(netuid)) players[id] = { ...p, affiliation: p.affiliation.filter((n) => n !== netuid) };
  }
  const bonds = { ...state.bonds };
  delete bonds[netuid];
  return {
    state: {
      ...state, players, subnets, bonds,
      weights: strip(state.weights), pendingWeights: strip(state.pendingWeights),
      issuance: amt(dec(state.issuance).minus(recycled)), recycled: amt(dec(state.recycled).plus(recycled)),
    },
    payouts,
  };
}

export function registerSubnet(state: GameState, player: Player, a: ActionOf<"registerSubnet">): Result<{ state: GameState; events: GameEvent[] }> {
  if (player.role !== "builder") return err("role/forbidden", "only builders register subnets");
  const name = cleanName(a.name, 24);
  if (name.length === 0) return err("subnet/name_taken", "give the subnet a name");
  if (Object.values(state.subnets).some((s) => s.name.toLowerCase() === name.toLowerCase())) {
    return err("subnet/name_taken", `a subnet is already called "${name}"`);
  }
  if (state.lastRegistrationRound === state.round) {
    return err("registration/rate_limited", "one subnet registers per round across the network; try next round");
  }
  const cost = lockCost(state);
  if (cost.gt(player.tao)) return err("balance/insufficient", `the lock cost is ${amt(cost)} τ and you have ${player.tao} τ`);
  const events: GameEvent[] = [];
  let s = state;
  let netuid: number = state.nextNetuid;
  let nextNetuid = state.nextNetuid + 1;
  if (subnetList(state).length >= state.config.subnetLimit) {
    const victim = pruneCandidate(state);
    if (!victim) return err("subnet/limit_reached", `all ${state.config.subnetLimit} subnets are immune; wait for immunity to end`);
    s = deregister(s, victim.netuid).state;
    netuid = Number(victim.netuid);
    nextNetuid = state.nextNetuid;
    events.push({ round: state.round + 1, kind: "prune", subnet: victim.netuid, text: `${victim.name} (SN${victim.netuid}) was deregistered to make room; its pool's TAO went to alpha holders` });
  }
  // The pool is seeded with C_min TAO and as many alpha (price 1.0); the rest of the lock is recycled (§7).
  const cMin = dec(state.config.minLockCost);
  const recycled = cost.minus(cMin);
  const rng = new Rng(s.rng);
  const subnet = { ...newSubnet(netuid, name, player.id, state.round + 1, cMin, cMin, cost, state.config, rng), priceEma: "0" };
  const payer = withTao(s.players[player.id], cost.neg());
  events.push({ round: state.round + 1, kind: "register", subnet: subnet.netuid, player: player.id, text: `${player.name} registered ${name} as SN${netuid} for ${amt(cost)} τ` });
  return ok({
    state: {
      ...s, rng: rng.state(), players: { ...s.players, [player.id]: payer }, subnets: { ...s.subnets, [subnet.netuid]: subnet },
      issuance: amt(dec(s.issuance).minus(recycled)), recycled: amt(dec(s.recycled).plus(recycled)),
      lastLockCost: amt(cost), lastRegistrationRound: state.round, nextNetuid,
    },
    events,
  });
}
