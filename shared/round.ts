/**
 * resolveRound: one tempo of the chain, (state) -> { state, report }.
 * Order within a resolution:
 *  1. reveal committed weights; market events; NPC traders and miners trade (flows count);
 *  2. EMAs step on the round's closing price and net flow (one closed-form step per tempo);
 *  3. shares by the rule set; TAO emission over the tempo (with halvings) split by share;
 *  4. per subnet: injection under the cap and excess rule, then alpha_out paid through Yuma;
 *  5. root's TAO paid to root nominators; game layer advances (quality, miners); signals for next round;
 *  6. metrics and report.
 */
import { netuidsOf, protocolSwapParams, stakeIndex, subnetList, totalRootStake } from "./access.js";
import { pushEvents } from "./apply.js";
import { switchesOf } from "./config.js";
import { amt, dec, type Dec, Decimal, floorRao, ZERO } from "./decimal.js";
import { type Ledger, nominatorIndex, paySubnet, payRootTao, RootOwed, settle, validatorBook } from "./distribution.js";
import { inDraft } from "./draft.js";
import { alphaHoldings, marketControl, ecosystemMetrics } from "./ecosystem.js";
import { effectivePriceEmaRate, updateFlowEma, updatePriceEma } from "./ema.js";
import { alphaEmissionOverBlocks, emissionOverBlocks } from "./emission.js";
import { applyInjection, computeInjection, type Injection } from "./injection.js";
import { minersSell, npcRootWeights, npcTraderTurn } from "./npc.js";
import { advanceSubnet, trueQuality } from "./quality.js";
import { roundIncome, withoutTradeCosts } from "./income.js";
import type { RoundReport, SubnetRoundReport } from "./report.js";
import { Rng } from "./rng.js";
import { rootEmissionShares } from "./rootConsensus.js";
import { normalise, sharesFromFlow, sharesFromPriceEma, splitByShares } from "./shares.js";
import { generateSignals, signalSigma } from "./signals.js";
import { shockEvents } from "./shockEvents.js";
import { applyShocks } from "./shocks.js";
import { type GameEvent, type GameState, type Netuid, type PlayerId, ROOT_NETUID, type Subnet, type WeightBook } from "./state.js";
import { BASE_BLOCK_EMISSION_TAO, PRICE_EMA_CAP } from "./constants.js";

export class RoundError extends Error {
  readonly code = "phase/forbidden";
}

/** Prices kept per subnet for sparklines. */
export const PRICE_HISTORY_LENGTH = 40;

function mergeWeights(weights: WeightBook, pending: WeightBook): WeightBook {
  // Books are shared, not copied, where nothing is merged into them (they are never written): those
  // without pending weights, and a validator's first pending book.
  const out: Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>> = { ...weights };
  for (const [v, byNet] of Object.entries(pending)) {
    const revealed = out[v];
    out[v] = revealed ? { ...revealed, ...byNet } : byNet;
  }
  return out;
}

function toDecShares(xs: Record<string, number>): Record<string, Dec> {
  const out: Record<string, Dec> = {};
  for (const [k, x] of Object.entries(xs)) out[k] = x > 0 && Number.isFinite(x) ? new Decimal(x.toPrecision(15)) : ZERO;
  return normalise(out);
}

export function resolveRound(input: GameState): { state: GameState; report: RoundReport } {
  if (input.phase !== "acting") throw new RoundError(`cannot resolve a round in phase ${input.phase}`);
  const round = input.round + 1;
  const config = input.config;
  const switches = switchesOf(config);
  const rng = new Rng(input.rng);
  const events: GameEvent[] = [];

  // 1. Reveal weights; events; NPC trades and miner sales (user-side flows of this round).
  let state: GameState = { ...input, weights: mergeWeights(input.weights, input.pendingWeights), pendingWeights: {} };
  // The trades of this step are private to the resolution: one draft scope copies the records once.
  state = inDraft(() => {
    const shocked = applyShocks(state, rng, round);
    events.push(...shocked.events);
    const traded = npcTraderTurn(shocked.state, rng, shocked.mood);
    return minersSell(traded.state, events);
  });

  // 2. EMAs step on the closing price and the round's net flow.
  const subnets: Record<Netuid, Subnet> = {};
  /** The closing spot price of each subnet (T/A at 40 digits): the injection reads it again. */
  const closing = new Map<Netuid, { taoReserve: string; alphaReserve: string; price: Dec }>();
  for (const s of subnetList(state)) {
    const age = s.registeredRound > 0 ? round - s.registeredRound : Number.POSITIVE_INFINITY;
    const rate = Number.isFinite(age) ? effectivePriceEmaRate(config.priceEmaRate, age, config.priceEmaHalvingRounds) : config.priceEmaRate;
    const spot = dec(s.taoReserve).div(dec(s.alphaReserve));
    closing.set(s.netuid, { taoReserve: s.taoReserve, alphaReserve: s.alphaReserve, price: spot });
    const priceEma = updatePriceEma(dec(s.priceEma), spot, rate, dec(PRICE_EMA_CAP));
    const flowEma = updateFlowEma(dec(s.flowEma), dec(s.flowThisRound), config.flowEmaRate);
    subnets[s.netuid] = { ...s, priceEma: priceEma.toString(), flowEma: flowEma.toString() };
  }
  state = { ...state, subnets };

  // 3. Shares and the round's emission.
  const netuids = netuidsOf(state);
  let shares: Record<string, Dec>;
  let rootControl: Record<string, number> | null = null;
  /** Under root-weights, weight put on netuid 0 is never minted (§2c). */
  let unminted = 0;
  if (switches.emissionRule === "rootWeights") {
    const rootStakes = stakeIndex(state).get(ROOT_NETUID) ?? new Map<PlayerId, Dec>();
    // The root network had 64 UIDs: the validators with the most root stake take them (§2c).
    const seated = [...rootStakes.entries()]
      .filter(([v]) => state.validators.includes(v))
      .sort((a, b) => b[1].cmp(a[1]) || (a[0] < b[0] ? -1 : 1))
      .slice(0, config.rootValidators);
    const stake: Record<string, number> = {};
    const weights: Record<string, Record<string, number>> = {};
    for (const [v, st] of seated) {
      stake[v] = st.toNumber();
      const p = state.players[v];
      if (p.npc === "validator") weights[v] = npcRootWeights(state, p, rng, signalSigma(config.signalNoise, stake[v]));
      else if (state.weights[v]?.[ROOT_NETUID]) weights[v] = { ...state.weights[v][ROOT_NETUID] };
    }
    const r = rootEmissionShares(stake, weights, netuids);
    shares = toDecShares(r.shares);
    rootControl = r.control;
    unminted = r.recycledFraction;
  } else if (switches.emissionRule === "priceEMA") {
    shares = sharesFromPriceEma(Object.fromEntries(netuids.map((n) => [n, dec(state.subnets[n].priceEma)])));
  } else {
    shares = sharesFromFlow(Object.fromEntries(netuids.map((n) => [n, dec(state.subnets[n].flowEma)])), dec(config.flowCutoff));
  }
  const shareSum = Object.values(shares).reduce((a, b) => a.plus(b), ZERO);
  const window = emissionOverBlocks(dec(state.issuance), config.tempoBlocks, dec(config.supplyCap), dec(BASE_BLOCK_EMISSION_TAO));
  const roundEmission = shareSum.isZero() ? ZERO
    : unminted > 0 ? floorRao(window.total.mul(1 - unminted)) : window.total; // rounds down: never mint more
  const emissionBy = shareSum.isZero() ? {} : splitByShares(roundEmission, shares);

  // 4. Per subnet: injection, then alpha_out through Yuma.
  // The ledger writes records this resolution made itself, never the input's: the subnets record
  // of step 2, and the players record the NPC trades copied (copied here if they made none). Nothing
  // reads the state's players after the payouts write them.
  const ledger: Ledger = { players: state.players === input.players ? { ...state.players } : state.players, subnets: state.subnets };
  const idx = nominatorIndex(state.players, state.playerOrder);
  const rootTotal = idx.rootStakeTotal ?? totalRootStake(state);
  const book = validatorBook(ledger, idx, state.validators, Number(config.taoWeight), switches.rootPayout, state.weights);
  const rootOwed = new RootOwed();
  const rootTaoTotal = { value: ZERO };
  const protocol = protocolSwapParams(state);
  const sumEma = netuids.reduce((a, n) => a.plus(dec(state.subnets[n].priceEma)), ZERO);
  const bonds: Record<Netuid, Record<PlayerId, Record<string, number>>> = {};
  const perSubnet: SubnetRoundReport[] = [];
  const ownerCut = dec(config.ownerCut);
  const taoWeight = dec(config.taoWeight);
  for (const n of netuids) {
    const before = ledger.subnets[n];
    const emission = emissionBy[n] ?? ZERO;
    const alphaWindow = alphaEmissionOverBlocks(dec(before.alphaIssued), config.tempoBlocks);
    const alphaCap = alphaWindow.total;
    const c = closing.get(n);
    const spot = c && c.taoReserve === before.taoReserve && c.alphaReserve === before.alphaReserve ? c.price : undefined;
    let inj: Injection = computeInjection(before, emission, alphaCap, shares[n] ?? ZERO, switches.excessRule, spot);
    // No price here: the payout below sets it from the reserves it leaves.
    const injected = applyInjection(before, inj, protocol, { priced: false });
    inj = injected.injection;
    ledger.subnets[n] = injected.subnet;
    const payout = paySubnet(ledger, idx, {
      netuid: n, alphaOut: alphaCap, ownerCut, taoWeight, totalRootStake: rootTotal,
      rootLost: inj.subsidised, rootSuppressed: switches.rootPayout === "claimAlpha" && sumEma.lte(1),
      validators: state.validators, maxValidators: config.maxValidatorsPerSubnet, book, kappa: config.kappa,
      bondAlpha: config.bondAlpha, bonds: state.bonds[n] as Record<PlayerId, Record<string, number>> | undefined,
      signalNoise: config.signalNoise, protocol,
    }, rng, rootOwed, rootTaoTotal);
    if (config.bondAlpha > 0) bonds[n] = payout.bonds;
    const s = ledger.subnets[n];
    const owner = state.players[s.owner];
    const minerTao = payout.miners.mul(dec(s.price)).toNumber();
    const advanced = advanceSubnet(s, owner?.effort ?? { research: 0.5, product: 0.5 }, minerTao, config);
    // The last PRICE_HISTORY_LENGTH prices, this round's included.
    const kept = s.priceHistory.length >= PRICE_HISTORY_LENGTH ? s.priceHistory.slice(s.priceHistory.length - PRICE_HISTORY_LENGTH + 1) : s.priceHistory.slice();
    kept.push(s.price);
    const consensus = new Array<number>(s.minerSkill.length);
    for (let uid = 0; uid < consensus.length; uid++) consensus[uid] = payout.consensus[uid] ?? 0;
    const shareString = (shares[n] ?? ZERO).toString();
    const emissionString = amt(emission);
    ledger.subnets[n] = {
      ...advanced, emissionShare: shareString, lastEmission: emissionString, consensus, flowThisRound: "0", priceHistory: kept,
    };
    const after = ledger.subnets[n];
    perSubnet.push({
      netuid: n, name: s.name, share: shareString, emission: emissionString,
      taoIn: amt(inj.taoIn), alphaIn: amt(inj.alphaIn), alphaOut: amt(alphaCap.minus(payout.rootLostAlpha)),
      excessTao: amt(inj.excessTao), alphaBurned: amt(inj.alphaBurned), ownerAlpha: amt(payout.owner),
      minerAlpha: amt(payout.miners), validatorAlpha: amt(payout.validators), rootAlpha: amt(payout.rootAlpha),
      rootTao: amt(payout.rootTao), price: after.price, priceEma: after.priceEma, flowEma: after.flowEma,
      netFlow: before.flowThisRound, taoReserve: after.taoReserve, alphaReserve: after.alphaReserve,
      trueQuality: trueQuality(after), product: after.product, research: owner?.effort.research ?? 0,
    });
  }

  // 5. Root's TAO to root nominators; issuance; signals for the next round.
  payRootTao(ledger, idx, rootOwed, rootTaoTotal.value, book);
  const gains = settle(ledger);
  const issuance = dec(state.issuance).plus(roundEmission);
  let next: GameState = {
    ...state, players: ledger.players, subnets: ledger.subnets, rng: rng.state(), round,
    block: state.block + config.tempoBlocks, issuance: amt(issuance),
    bonds: config.bondAlpha > 0 ? bonds : state.bonds,
    phase: round >= config.rounds ? "ended" : "acting",
  };
  // Root stake through a validator now: its root positions before the payouts plus the root credits
  // through it (sums of exact amounts, so the same values as summing the positions afresh).
  const rootCredited = ledger.rootCredited;
  next = generateSignals(next, undefined, (v) => {
    const before = book.rootStake.get(v);
    const credited = rootCredited?.get(v);
    return before && credited ? before.plus(credited) : before ?? credited;
  });
  const shareNumbers = Object.fromEntries(Object.entries(shares).map(([k, v]) => [k, v.toNumber()]));
  const holdings = alphaHoldings(next);
  const control = rootControl
    ? new Map(Object.entries(rootControl).filter(([, c]) => c > 0))
    : marketControl(next, shareNumbers, holdings);
  const metrics = ecosystemMetrics(next, shareNumbers, control, holdings);
  events.push(...shockEvents(perSubnet, round, next.phase === "ended"));
  next = pushEvents(next, events);
  const income = roundIncome(state, gains, perSubnet); // payouts, owner cut, and the round's trade costs
  next = withoutTradeCosts(next); // reported: the next round's costs start from nothing
  const report: RoundReport = {
    round, ruleset: state.ruleset, switches, block: next.block,
    blockEmission: amt(window.perSegment[0]?.perBlock ?? ZERO), emitted: amt(roundEmission), issuance: next.issuance,
    subnets: perSubnet, metrics, income, events,
  };
  return { state: next, report };
}
