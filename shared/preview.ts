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
import type { GameState, Netuid, PlayerId, Subnet } from "./state.js";
import { stake, unstake } from "./trade.js";
import { PRICE_EMA_CAP } from "./constants.js";

/** What the share projection needs: a narrow slice of the state the client also has. */
export interface ShareInputs {
  readonly emissionRule: "rootWeights" | "priceEMA" | "taoFlow";
  readonly priceEmaRate: number;
  readonly priceEmaHalvingRounds: number;
  readonly flowEmaRate: number;
  readonly flowCutoff: string;
  /** The round being played (resolved rounds + 1). */
  readonly round: number;
  readonly subnets: readonly Pick<Subnet, "netuid" | "taoReserve" | "alphaReserve" | "priceEma" | "flowEma" | "flowThisRound" | "registeredRound" | "emissionShare">[];
}

export function shareInputs(state: GameState): ShareInputs {
  const c = state.config;
  return {
    emissionRule: switchesOf(c).emissionRule, priceEmaRate: c.priceEmaRate, priceEmaHalvingRounds: c.priceEmaHalvingRounds,
    flowEmaRate: c.flowEmaRate, flowCutoff: c.flowCutoff, round: state.round + 1,
    subnets: netuidsOf(state).map((n) => state.subnets[n]),
  };
}

/**
 * Emission shares if the round resolved now, from the current prices and flows (NPC trades and
 * events not included): the same EMA step and share rule resolveRound uses. Under root-weights the
 * market does not move shares: the last ones stand.
 */
export function projectShares(input: ShareInputs): Record<Netuid, Dec> {
  if (input.emissionRule === "rootWeights") return Object.fromEntries(input.subnets.map((s) => [s.netuid, dec(s.emissionShare)]));
  const values: Record<string, Dec> = {};
  for (const s of input.subnets) {
    if (input.emissionRule === "priceEMA") {
      const age = s.registeredRound > 0 ? input.round - s.registeredRound : Number.POSITIVE_INFINITY;
      const rate = Number.isFinite(age) ? effectivePriceEmaRate(input.priceEmaRate, age, input.priceEmaHalvingRounds) : input.priceEmaRate;
      values[s.netuid] = updatePriceEma(dec(s.priceEma), dec(s.taoReserve).div(s.alphaReserve), rate, dec(PRICE_EMA_CAP));
    } else {
      values[s.netuid] = updateFlowEma(dec(s.flowEma), dec(s.flowThisRound), input.flowEmaRate);
    }
  }
  return input.emissionRule === "priceEMA" ? sharesFromPriceEma(values) : sharesFromFlow(values, dec(input.flowCutoff));
}

/**
 * The emission shares the current EMAs give under a market rule (what resolveRound's step 3
 * computed from them), for a view that syncs the EMAs but not the shares; null under root weights,
 * whose shares come from weights that are not public.
 */
export function sharesFromEmas(
  rule: string, flowCutoff: string, subnets: readonly { readonly netuid: Netuid; readonly priceEma: string; readonly flowEma: string }[],
): Record<Netuid, Dec> | null {
  if (rule === "priceEMA") return sharesFromPriceEma(Object.fromEntries(subnets.map((s) => [s.netuid, dec(s.priceEma)])));
  if (rule === "taoFlow") return sharesFromFlow(Object.fromEntries(subnets.map((s) => [s.netuid, dec(s.flowEma)])), dec(flowCutoff));
  return null;
}

export function projectedShares(state: GameState): Record<Netuid, Dec> {
  return projectShares(shareInputs(state));
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
