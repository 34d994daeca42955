/**
 * Previews for the client: the very same trade functions the server executes, run on the
 * client's copy of the state, plus the emission share the subnet would get if the round
 * resolved now. Never a copied rule.
 */
import { netuidsOf } from "./access.js";
import type { ActionOf } from "./actions.js";
import { switchesOf } from "./config.js";
import { dec, type Dec, ZERO } from "./decimal.js";
import { effectivePriceEmaRate, updateFlowEma, updatePriceEma } from "./ema.js";
import type { EngineError } from "./errors.js";
import type { SwapQuote } from "./pool.js";
import { sharesFromFlow, sharesFromPriceEma } from "./shares.js";
import type { GameState, Netuid, PlayerId } from "./state.js";
import { stake, unstake } from "./trade.js";
import { PRICE_EMA_CAP } from "./constants.js";

/**
 * Emission shares if the round resolved now, from the current prices and flows (NPC trades and
 * events not included). Under root-weights the market does not move shares: the last ones stand.
 */
export function projectedShares(state: GameState): Record<Netuid, Dec> {
  const config = state.config;
  const rule = switchesOf(config).emissionRule;
  const netuids = netuidsOf(state);
  if (rule === "rootWeights") return Object.fromEntries(netuids.map((n) => [n, dec(state.subnets[n].emissionShare)]));
  const round = state.round + 1;
  const values: Record<string, Dec> = {};
  for (const n of netuids) {
    const s = state.subnets[n];
    if (rule === "priceEMA") {
      const age = s.registeredRound > 0 ? round - s.registeredRound : Number.POSITIVE_INFINITY;
      const rate = Number.isFinite(age) ? effectivePriceEmaRate(config.priceEmaRate, age, config.priceEmaHalvingRounds) : config.priceEmaRate;
      values[n] = updatePriceEma(dec(s.priceEma), dec(s.taoReserve).div(s.alphaReserve), rate, dec(PRICE_EMA_CAP));
    } else {
      values[n] = updateFlowEma(dec(s.flowEma), dec(s.flowThisRound), config.flowEmaRate);
    }
  }
  return rule === "priceEMA" ? sharesFromPriceEma(values) : sharesFromFlow(values, dec(config.flowCutoff));
}

export interface TradePreview {
  readonly quote: SwapQuote;
  /** The subnet's projected emission share now, and after this trade. */
  readonly shareBefore: Dec;
  readonly shareAfter: Dec;
}

export type PreviewResult = { ok: true; preview: TradePreview } | { ok: false; error: EngineError };

function preview(state: GameState, netuid: Netuid, run: () => ReturnType<typeof stake>): PreviewResult {
  const r = run();
  if (!r.ok) return r;
  const quote = r.value.quote;
  if (!quote) throw new Error("preview: trade without a quote");
  return {
    ok: true,
    preview: {
      quote,
      shareBefore: projectedShares(state)[netuid] ?? ZERO,
      shareAfter: projectedShares(r.value.state)[netuid] ?? ZERO,
    },
  };
}

export function previewStake(state: GameState, playerId: PlayerId, action: Omit<ActionOf<"stake">, "type">): PreviewResult {
  const player = state.players[playerId];
  if (!player) return { ok: false, error: { code: "player/unknown", message: "join the game first" } };
  return preview(state, String(action.subnet), () => stake(state, player, { ...action, type: "stake" }));
}

export function previewUnstake(state: GameState, playerId: PlayerId, action: Omit<ActionOf<"unstake">, "type">): PreviewResult {
  const player = state.players[playerId];
  if (!player) return { ok: false, error: { code: "player/unknown", message: "join the game first" } };
  return preview(state, String(action.subnet), () => unstake(state, player, { ...action, type: "unstake" }));
}
