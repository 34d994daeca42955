/**
 * Staking and unstaking: the player-facing trades. Each is validate-then-apply over the pool
 * functions in pool.ts, which are the same functions the client uses for its previews.
 */
import { defaultValidator, swapParams } from "./access.js";
import type { ActionOf } from "./actions.js";
import { parseAmount, parsePrice } from "./amount.js";
import { amt, amtKept, dec, type Dec, floorRaoDiv, raoString, ZERO } from "./decimal.js";
import { err, ok, type Result } from "./errors.js";
import { own, owns, patchState } from "./draft.js";
import { positionOf, positionsLargestFirst, withPosition, withTao } from "./ledger.js";
import { fillSwap, type LimitOrder, swapAlphaForTao, type SwapFill, type SwapParams, swapTaoForAlpha, type SwapQuote, type TradeCostTao } from "./pool.js";
import { type GameEvent, type GameState, type Netuid, type Player, type PlayerId, ROOT_NETUID, type Subnet, type TradeCost } from "./state.js";

export interface TradeOutcome {
  readonly state: GameState;
  readonly events: GameEvent[];
  readonly quote?: SwapQuote;
  /** The pool swap's fill (stake and unstake only), for the trade's cost (`tradeCost` in pool.ts). */
  readonly fill?: Pick<SwapFill, "amountIn" | "fee" | "amountOut">;
}

function tradableSubnet(state: GameState, subnet: number): Result<Subnet> {
  if (subnet === 0) return err("subnet/root_not_allowed", "root (subnet 0) has no pool: use stakeRoot / unstakeRoot");
  const s = state.subnets[String(subnet)];
  return s ? ok(s) : err("subnet/unknown", `there is no subnet ${subnet}`);
}

function resolveValidator(state: GameState, player: Player, named: string | undefined): Result<PlayerId> {
  if (named === undefined) return ok(defaultValidator(state, player));
  return state.validators.includes(named) ? ok(named) : err("validator/unknown", `no validator "${named.slice(0, 64)}"`);
}

function limitOf(a: { limitPrice?: string; allowPartial?: boolean }): Result<{ limitPrice: Dec; allowPartial: boolean } | undefined> {
  if (a.limitPrice === undefined) return ok(undefined);
  const p = parsePrice(a.limitPrice);
  return p.ok ? ok({ limitPrice: p.value, allowPartial: a.allowPartial ?? false }) : p;
}

/** Write a subnet's pool after a swap; `flowDelta` feeds Taoflow (user stake operations only, §2b). */
export function withPool(s: Subnet, pool: { taoReserve: string; alphaReserve: string }, alphaOutDelta: Dec, flowDelta: Dec): Subnet {
  const t = dec(pool.taoReserve);
  const a = dec(pool.alphaReserve);
  return {
    ...s, taoReserve: pool.taoReserve, alphaReserve: pool.alphaReserve, price: amt(floorRaoDiv(t, a)),
    alphaOut: amtKept(dec(s.alphaOut).plus(alphaOutDelta)), flowThisRound: amtKept(dec(s.flowThisRound).plus(flowDelta)),
  };
}

/** `{ ...players, [p.id]: p }`, in place when the current draft scope made the record. */
export function setPlayer(players: GameState["players"], p: Player): GameState["players"] {
  if (!owns(players)) return own({ ...players, [p.id]: p });
  (players as Record<PlayerId, Player>)[p.id] = p;
  return players;
}

function setSubnet(subnets: GameState["subnets"], s: Subnet): GameState["subnets"] {
  if (!owns(subnets)) return own({ ...subnets, [s.netuid]: s });
  (subnets as Record<Netuid, Subnet>)[s.netuid] = s;
  return subnets;
}

/**
 * Add one pool trade's fee and slippage (TAO, on the rao grid) to what the player's trades cost them
 * this round (`state.tradeCosts`); in place when the current draft scope made the record.
 */
export function addTradeCost(state: GameState, id: PlayerId, cost: TradeCostTao): GameState {
  const costs = state.tradeCosts;
  const prev = costs?.[id];
  const entry: TradeCost = prev
    ? { fees: raoString(dec(prev.fees).plus(cost.fee)), slippage: raoString(dec(prev.slippage).plus(cost.slippage)) }
    : { fees: raoString(cost.fee), slippage: raoString(cost.slippage) };
  if (costs && owns(costs)) {
    (costs as Record<PlayerId, TradeCost>)[id] = entry;
    return state;
  }
  return patchState(state, { tradeCosts: own({ ...costs, [id]: entry }) });
}

function put(state: GameState, player: Player, subnet?: Subnet): GameState {
  return patchState(state, {
    players: setPlayer(state.players, player),
    subnets: subnet ? setSubnet(state.subnets, subnet) : state.subnets,
  });
}

/**
 * The swap of a trade: the full quote when the caller wants it (previews), otherwise the bare fill,
 * which has the same checks, errors, amounts and reserves.
 */
function swap(buy: boolean, s: Subnet, amount: Dec, params: SwapParams, limit: LimitOrder | undefined, withQuote: boolean): Result<SwapFill & { quote?: SwapQuote }> {
  if (!withQuote) return fillSwap(buy, s, amount, params, limit);
  const q = buy ? swapTaoForAlpha(s, amount, params, limit) : swapAlphaForTao(s, amount, params, limit);
  return q.ok ? ok({ ...q.value, quote: q.value }) : q;
}

/** `withQuote: false` skips the quote's display figures (the outcome then has no `quote`); the trade is the same. */
export function stake(state: GameState, player: Player, a: ActionOf<"stake">, withQuote = true): Result<TradeOutcome> {
  const subnet = tradableSubnet(state, a.subnet);
  if (!subnet.ok) return subnet;
  const tao = parseAmount(a.tao, "TAO amount");
  if (!tao.ok) return tao;
  if (tao.value.lt(state.config.minStake)) return err("amount/below_minimum", `the minimum stake is ${state.config.minStake} τ`);
  if (tao.value.gt(player.tao)) return err("balance/insufficient", `you have ${player.tao} τ free, not ${a.tao}`);
  const validator = resolveValidator(state, player, a.validator);
  if (!validator.ok) return validator;
  const limit = limitOf(a);
  if (!limit.ok) return limit;
  const q = swap(true, subnet.value, tao.value, swapParams(state), limit.value, withQuote);
  if (!q.ok) return q;
  const quote = q.value;
  let p = withTao(player, quote.amountIn.neg());
  p = withPosition(p, subnet.value.netuid, validator.value, quote.amountOut);
  const s = withPool(subnet.value, quote.pool, quote.amountOut, quote.amountIn);
  const text = `${player.name} staked ${amt(quote.amountIn)} τ into ${s.name} (α${s.netuid}) for ${amt(quote.amountOut)} α${s.netuid}`;
  return ok({ state: put(state, p, s), ...(quote.quote ? { quote: quote.quote } : {}), fill: quote, events: [{ round: state.round + 1, kind: "stake", text, subnet: s.netuid, player: p.id }] });
}

export function unstake(state: GameState, player: Player, a: ActionOf<"unstake">, withQuote = true): Result<TradeOutcome> {
  const subnet = tradableSubnet(state, a.subnet);
  if (!subnet.ok) return subnet;
  const netuid: Netuid = subnet.value.netuid;
  const alpha = parseAmount(a.alpha, "alpha amount");
  if (!alpha.ok) return alpha;
  let sources: [PlayerId, Dec][];
  if (a.validator !== undefined) {
    if (!state.validators.includes(a.validator)) return err("validator/unknown", `no validator "${a.validator.slice(0, 64)}"`);
    const held = positionOf(player, netuid, a.validator);
    if (alpha.value.gt(held)) return err("balance/insufficient", `you hold ${amt(held)} α${netuid} with that validator`);
    sources = [[a.validator, held]];
  } else {
    const held = dec(player.alpha[netuid] ?? "0");
    if (alpha.value.gt(held)) return err("balance/insufficient", `you hold ${amt(held)} α${netuid}, not ${a.alpha}`);
    sources = positionsLargestFirst(player, netuid);
  }
  const limit = limitOf(a);
  if (!limit.ok) return limit;
  const q = swap(false, subnet.value, alpha.value, swapParams(state), limit.value, withQuote);
  if (!q.ok) return q;
  const quote = q.value;
  // Take the alpha actually sold (less than asked on a partial fill) from the positions, largest first.
  let remaining = quote.amountIn;
  let p = player;
  for (const [v, held] of sources) {
    if (remaining.lte(ZERO)) break;
    const take = held.lt(remaining) ? held : remaining;
    p = withPosition(p, netuid, v, take.neg());
    remaining = remaining.minus(take);
  }
  p = withTao(p, quote.amountOut);
  const s = withPool(subnet.value, quote.pool, quote.amountIn.neg(), quote.amountOut.neg());
  const text = `${player.name} unstaked ${amt(quote.amountIn)} α${netuid} from ${s.name} for ${amt(quote.amountOut)} τ`;
  return ok({ state: put(state, p, s), ...(quote.quote ? { quote: quote.quote } : {}), fill: quote, events: [{ round: state.round + 1, kind: "unstake", text, subnet: netuid, player: p.id }] });
}

/** Root (netuid 0): TAO one-to-one, no pool, no slippage (§4, §8). */
export function stakeRoot(state: GameState, player: Player, a: ActionOf<"stakeRoot">): Result<TradeOutcome> {
  const tao = parseAmount(a.tao, "TAO amount");
  if (!tao.ok) return tao;
  if (tao.value.lt(state.config.minStake)) return err("amount/below_minimum", `the minimum stake is ${state.config.minStake} τ`);
  if (tao.value.gt(player.tao)) return err("balance/insufficient", `you have ${player.tao} τ free, not ${a.tao}`);
  const validator = resolveValidator(state, player, a.validator);
  if (!validator.ok) return validator;
  const p = withPosition(withTao(player, tao.value.neg()), ROOT_NETUID, validator.value, tao.value);
  const text = `${player.name} staked ${amt(tao.value)} τ on root`;
  return ok({ state: put(state, p), events: [{ round: state.round + 1, kind: "stakeRoot", text, subnet: ROOT_NETUID, player: p.id }] });
}

export function unstakeRoot(state: GameState, player: Player, a: ActionOf<"unstakeRoot">): Result<TradeOutcome> {
  const tao = parseAmount(a.tao, "TAO amount");
  if (!tao.ok) return tao;
  let sources: [PlayerId, Dec][];
  if (a.validator !== undefined) {
    if (!state.validators.includes(a.validator)) return err("validator/unknown", `no validator "${a.validator.slice(0, 64)}"`);
    sources = [[a.validator, positionOf(player, ROOT_NETUID, a.validator)]];
  } else {
    sources = positionsLargestFirst(player, ROOT_NETUID);
  }
  const held = sources.reduce((t, [, s]) => t.plus(s), ZERO);
  if (tao.value.gt(held)) return err("balance/insufficient", `you have ${amt(held)} τ on root${a.validator ? " with that validator" : ""}`);
  let remaining = tao.value;
  let p = player;
  for (const [v, h] of sources) {
    if (remaining.lte(ZERO)) break;
    const take = h.lt(remaining) ? h : remaining;
    p = withPosition(p, ROOT_NETUID, v, take.neg());
    remaining = remaining.minus(take);
  }
  p = withTao(p, tao.value);
  const text = `${player.name} unstaked ${amt(tao.value)} τ from root`;
  return ok({ state: put(state, p), events: [{ round: state.round + 1, kind: "unstakeRoot", text, subnet: ROOT_NETUID, player: p.id }] });
}
