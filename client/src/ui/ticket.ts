/**
 * The staker's order ticket: subnet, side, amount, slippage tolerance and validator, with a live
 * preview computed by the very functions the server executes (`quoteStake` / `quoteUnstake` on the
 * subnet's current reserves, `projectShares` for the emission share). Root (netuid 0) has its own
 * small form: no pool, so no preview beyond "one to one".
 *
 * The DOM is built once; `render` only updates text, options and disabled states, so typing is
 * never interrupted by a state patch.
 */
import {
  amt, ceilRao, dec, floorRao, parseAmount, projectShares, quoteStake, quoteUnstake,
  type Dec, type PoolReserves, type ShareInputs, type SwapParams, type SwapQuote,
} from "../../../shared/index";
import type { ArenaConnection } from "../net";
import type { ClientSnapshot, SyncedPlayer, SyncedState, SyncedSubnet } from "../types";
import { alpha, num, pct, tao } from "../format";
import { h, showResult, term, type Panel } from "./dom";

/** Price impact tiers (ui-direction): under 1% plain, 1–5% warning, over 5% a second confirmation. */
const IMPACT_WARN = 0.01;
const IMPACT_CONFIRM = 0.05;
const TOLERANCES = ["0.1", "0.5", "1", "2", "3", "5", "10"];
const DEFAULT_TOLERANCE = "1";

type Side = "stake" | "unstake";

/** Text setter that leaves the DOM alone when nothing changed (no flicker, no screen-reader noise). */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function subnetsSorted(st: SyncedState): SyncedSubnet[] {
  return Object.values(st.subnets).sort((a, b) => Number(a.netuid) - Number(b.netuid));
}

/**
 * The engine's share projection inputs from the synced state: the rules, every subnet in netuid
 * order (the engine's order), and the round being played. `change` substitutes one subnet's pool
 * and flow, to project the shares after a previewed trade.
 */
export function shareInputsOf(
  st: SyncedState,
  change?: { netuid: string; taoReserve: string; alphaReserve: string; flowThisRound: string },
): ShareInputs {
  const r = st.rules;
  return {
    emissionRule: r.emissionRule, priceEmaRate: r.priceEmaRate, priceEmaHalvingRounds: r.priceEmaHalvingRounds,
    flowEmaRate: r.flowEmaRate, flowCutoff: r.flowCutoff,
    // The synced round is the round being played while acting; in the lobby it is 0, and round 1 is next.
    round: Math.max(1, st.round),
    subnets: subnetsSorted(st).map((s) => (change && s.netuid === change.netuid ? { ...s, ...change } : s)),
  };
}

let liveKey = "";
let liveValue: Record<string, number> = {};
/**
 * Emission shares if the round resolved now (the engine's projection on the current pools and
 * flows), as numbers; memoised on the inputs, so calling it on every render is cheap.
 */
export function liveShares(st: SyncedState): Record<string, number> {
  const key = `${st.rules.emissionRule}|${st.round}|${subnetsSorted(st).map((x) => `${x.netuid}:${x.taoReserve}:${x.alphaReserve}:${x.priceEma}:${x.flowEma}:${x.flowThisRound}:${x.emissionShare}:${x.registeredRound}`).join(",")}`;
  if (key !== liveKey) {
    liveKey = key;
    liveValue = Object.fromEntries(Object.entries(projectShares(shareInputsOf(st))).map(([n, v]) => [n, Number(v)]));
  }
  return liveValue;
}

export function swapParamsOf(st: SyncedState): SwapParams {
  return { fee: dec(st.rules.poolFee), minReserve: dec(st.rules.minPoolReserve) };
}

export function me(s: ClientSnapshot): SyncedPlayer | null {
  const id = s.seat?.playerId;
  return (id && s.state?.players[id]) || null;
}

/**
 * The limit price that enforces "you receive at least `minOut`".
 *
 * The server takes the tolerance as a limit on the pool's spot price *after* the trade (a stake
 * must leave T'/A' ≤ limitPrice, an unstake T'/A' ≥ limitPrice; docs/rules.md 3.2), whole order or
 * nothing. What a player means by slippage tolerance is an amount: "at least this much". So we
 * translate: if other trades in the same direction land before ours, they move the pool along its
 * curve and our fill shrinks. With the shared quote functions we find how far the pool may move
 * (another trade of size y first) before our fill drops to `minOut`, and send the spot price our
 * own trade would then leave behind. If the pool has moved further by the time the server
 * executes, our trade would leave the price past that limit and is refused; otherwise it fills
 * with at least `minOut` (up to a rao of rounding). The limit is rounded toward the stricter side,
 * but never so far that the trade previewed right now would be refused.
 */
export function limitForMinimum(buy: boolean, pool: PoolReserves, amountIn: Dec, params: SwapParams, minOut: Dec, own: SwapQuote): string | undefined {
  const quote = buy ? quoteStake : quoteUnstake;
  const fillAfter = (y: number): SwapQuote | null => {
    let p = pool;
    const moved = floorRao(dec(y.toFixed(9)));
    if (moved.gt(0)) {
      const other = quote(pool, moved, params);
      if (!other.ok) return null;
      p = other.value.pool;
    }
    const q = quote(p, amountIn, params);
    return q.ok ? q.value : null;
  };
  const good = (q: SwapQuote | null): q is SwapQuote => q !== null && q.amountOut.gte(minOut);
  let lo = 0;
  let loQ = own;
  let hi = Math.max(Number(amountIn), 1e-6);
  let hiQ = fillAfter(hi);
  for (let i = 0; i < 64 && good(hiQ); i++) {
    lo = hi; loQ = hiQ; hi *= 2; hiQ = fillAfter(hi);
  }
  for (let i = 0; i < 32 && hi - lo > lo * 1e-7 + 1e-9; i++) {
    const mid = (lo + hi) / 2;
    const q = fillAfter(mid);
    if (good(q)) { lo = mid; loQ = q; } else hi = mid;
  }
  const bound = loQ.priceAfter;
  if (buy) {
    let lim = floorRao(bound);
    if (lim.lt(own.priceAfter)) lim = ceilRao(own.priceAfter);
    return lim.gt(0) ? amt(lim) : undefined;
  }
  let lim = ceilRao(bound);
  if (lim.gt(own.priceAfter)) lim = floorRao(own.priceAfter);
  return lim.gt(0) ? amt(lim) : undefined;
}

interface Preview {
  amount: Dec;
  quote: SwapQuote;
  minOut: Dec;
  shareBefore: Dec;
  shareAfter: Dec;
}

type Check = { ok: true; preview: Preview } | { ok: false; message: string; quiet?: boolean };

function impactTier(impact: number): 0 | 1 | 2 {
  return impact > IMPACT_CONFIRM ? 2 : impact >= IMPACT_WARN ? 1 : 0;
}

const TIER_TEXT = ["● low", "▲ moderate", "⚠ high"];

export function createTicketPanel(conn: ArenaConnection): Panel {
  let snap: ClientSnapshot | null = null;
  let side: Side = "stake";
  let confirming = false;
  let busy = false;
  let rootBusy = false;
  let lastKey = "";
  let check: Check = { ok: false, message: "", quiet: true };

  // --- controls -----------------------------------------------------------------------------
  const subnet = h("select", { id: "ticket-subnet", name: "subnet" });
  const sideStake = h("input", { type: "radio", name: "ticket-side", id: "ticket-side-stake", value: "stake", checked: true });
  const sideUnstake = h("input", { type: "radio", name: "ticket-side", id: "ticket-side-unstake", value: "unstake" });
  const amountLabel = h("label", { for: "ticket-amount" }, "Amount (τ)");
  const amount = h("input", {
    id: "ticket-amount", name: "amount", inputmode: "decimal", autocomplete: "off", placeholder: "0.0",
    "aria-describedby": "ticket-amount-error ticket-balance",
  });
  const maxBtn = h("button", { type: "button", id: "ticket-max", class: "small" }, "Max");
  const balance = h("p", { class: "hint", id: "ticket-balance" });
  const amountError = h("p", { class: "field-error", id: "ticket-amount-error", "aria-live": "polite" });
  const tolerance = h("select", { id: "ticket-tolerance", name: "tolerance" },
    ...TOLERANCES.map((t) => h("option", { value: t, selected: t === DEFAULT_TOLERANCE }, `${t}%`)));
  const validator = h("select", { id: "ticket-validator", name: "validator" });

  // --- preview ------------------------------------------------------------------------------
  const pv = {
    pay: h("dd", { class: "num", id: "pv-pay" }),
    receive: h("dd", { class: "num", id: "pv-receive" }),
    minimum: h("dd", { class: "num", id: "pv-minimum" }),
    minimumLabel: h("span", {}, "At least (1% tolerance)"),
    avg: h("dd", { class: "num", id: "pv-avg" }),
    impact: h("span", { class: "impact", id: "pv-impact" }),
    impactSub: h("span", { class: "sub", id: "pv-impact-move" }),
    fee: h("dd", { class: "num", id: "pv-fee" }),
    share: h("dd", { class: "num", id: "pv-share" }),
  };
  const preview = h("dl", { class: "preview", id: "ticket-preview", "aria-live": "polite" },
    h("dt", {}, "You pay"), pv.pay,
    h("dt", {}, "You receive"), pv.receive,
    h("dt", {}, pv.minimumLabel), pv.minimum,
    h("dt", {}, "Average price vs spot"), pv.avg,
    h("dt", {}, "Price impact"), h("dd", { class: "num" }, pv.impact, pv.impactSub),
    h("dt", {}, "Fee"), pv.fee,
    h("dt", {}, term("emission share", "Emission share"), " (projected)"), pv.share,
  );
  const confirmNote = h("p", { class: "confirm-note", id: "ticket-confirm-note", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary", id: "ticket-submit", disabled: true }, "Stake");
  const cancel = h("button", { type: "button", id: "ticket-cancel", hidden: true }, "Cancel");
  const result = h("p", { class: "msg", id: "ticket-result" });
  const phaseNote = h("p", { class: "hint", id: "ticket-phase" });

  const form = h("form", { class: "ticket-form", id: "ticket-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "ticket-subnet" }, "Subnet"), subnet),
    h("fieldset", { class: "segmented" }, h("legend", {}, "Side"),
      h("label", { for: "ticket-side-stake" }, sideStake, " Stake (buy α)"),
      h("label", { for: "ticket-side-unstake" }, sideUnstake, " Unstake (sell α)")),
    h("div", { class: "field" }, amountLabel, h("div", { class: "input-row" }, amount, maxBtn), balance, amountError),
    h("div", { class: "field-pair" },
      h("div", { class: "field" }, h("label", { for: "ticket-tolerance" }, term("slippage", "Slippage tolerance")), tolerance),
      h("div", { class: "field" }, h("label", { for: "ticket-validator" }, "Validator"), validator)),
    preview,
    confirmNote,
    h("div", { class: "actions" }, submit, cancel),
    result,
  );

  // --- root ---------------------------------------------------------------------------------
  const rootAmount = h("input", {
    id: "root-amount", name: "root-amount", inputmode: "decimal", autocomplete: "off", placeholder: "0.0",
    "aria-describedby": "root-error root-balance",
  });
  const rootFree = h("button", { type: "button", class: "link num", id: "root-fill-free", title: "Use all your free TAO" });
  const rootHeld = h("button", { type: "button", class: "link num", id: "root-fill-held", title: "Use all your root stake" });
  const rootError = h("p", { class: "field-error", id: "root-error", "aria-live": "polite" });
  const rootStake = h("button", { type: "button", class: "primary", id: "root-stake" }, "Stake on root");
  const rootUnstake = h("button", { type: "button", id: "root-unstake" }, "Unstake from root");
  const rootResult = h("p", { class: "msg", id: "root-result" });
  const rootForm = h("form", { class: "root-form", id: "root-form", novalidate: true },
    h("h3", {}, term("root", "Root"), " (subnet 0)"),
    h("p", { class: "hint" }, "No pool: TAO in and out one to one, no slippage, no fee. Earns a share of every subnet's emission."),
    h("div", { class: "field" }, h("label", { for: "root-amount" }, "Amount (τ)"), rootAmount,
      h("p", { class: "hint", id: "root-balance" }, "Free ", rootFree, " · on root ", rootHeld), rootError),
    h("div", { class: "actions" }, rootStake, rootUnstake),
    rootResult,
  );

  const el = h("section", { class: "card ticket", id: "ticket", "aria-label": "Order ticket" },
    h("h2", {}, "Order ticket"), phaseNote, form, rootForm);

  // --- state helpers ------------------------------------------------------------------------
  const state = () => snap?.state ?? null;
  const player = () => (snap ? me(snap) : null);
  const selected = (): SyncedSubnet | null => state()?.subnets[subnet.value] ?? null;
  const tolFraction = () => Number(tolerance.value) / 100;
  const tradingOpen = (st: SyncedState | null) => !!st && st.phase === "acting" && !st.paused;

  function evaluate(): Check {
    const st = state();
    const p = player();
    if (!st) return { ok: false, message: "", quiet: true };
    if (!p) return { ok: false, message: "Join the game as a player to trade.", quiet: true };
    const s = selected();
    if (!s) return { ok: false, message: "Choose a subnet.", quiet: true };
    const raw = amount.value.trim().replace(/\s+/g, "").replace(",", ".");
    const unit = side === "stake" ? "τ" : `α${s.netuid}`;
    if (raw === "") return { ok: false, message: `Enter how much ${unit} to ${side}.`, quiet: true };
    const parsed = parseAmount(raw, "The amount");
    if (!parsed.ok) return { ok: false, message: `${parsed.error.message}.` };
    const x = parsed.value;
    if (side === "stake") {
      if (x.gt(p.tao)) return { ok: false, message: `Above your balance: you have ${tao(p.tao)} free.` };
      if (x.lt(st.rules.minStake)) return { ok: false, message: `The minimum stake is ${st.rules.minStake} τ.` };
    } else {
      const held = p.alpha[s.netuid] ?? "0";
      if (dec(held).isZero()) return { ok: false, message: `You hold no α${s.netuid} to unstake.` };
      if (x.gt(held)) return { ok: false, message: `Above your balance: you hold ${alpha(held, s.netuid)}.` };
    }
    const pool = { taoReserve: s.taoReserve, alphaReserve: s.alphaReserve };
    const q = side === "stake" ? quoteStake(pool, x, swapParamsOf(st)) : quoteUnstake(pool, x, swapParamsOf(st));
    if (!q.ok) return { ok: false, message: explainQuoteError(q.error.code, q.error.message) };
    const quote = q.value;
    const minOut = floorRao(quote.amountOut.times(1 - tolFraction()));
    // Flow counts the gross TAO paid on a stake and the TAO received on an unstake (docs/rules.md 3.4).
    const flow = side === "stake" ? dec(s.flowThisRound).plus(quote.amountIn) : dec(s.flowThisRound).minus(quote.amountOut);
    const before = projectShares(shareInputsOf(st))[s.netuid] ?? dec(0);
    const after = projectShares(shareInputsOf(st, {
      netuid: s.netuid, taoReserve: quote.pool.taoReserve, alphaReserve: quote.pool.alphaReserve, flowThisRound: amt(flow),
    }))[s.netuid] ?? dec(0);
    return { ok: true, preview: { amount: x, quote, minOut, shareBefore: before, shareAfter: after } };
  }

  function explainQuoteError(code: string, message: string): string {
    if (code === "pool/reserve_floor") return `Too large for this pool: ${message}. Try a smaller amount.`;
    if (code === "amount/below_minimum") return "Too small: the pool would pay out nothing. Try a larger amount.";
    return `${message}.`;
  }

  /** Recompute the preview only when something it depends on changed. */
  function refreshPreview(force = false) {
    const st = state();
    const p = player();
    const s = selected();
    const key = [
      side, subnet.value, amount.value, tolerance.value, p?.tao, s ? p?.alpha[s.netuid] : "", st?.rules.emissionRule, st?.round,
      st ? subnetsSorted(st).map((x) => `${x.netuid}:${x.taoReserve}:${x.alphaReserve}:${x.priceEma}:${x.flowEma}:${x.flowThisRound}:${x.emissionShare}`).join(",") : "",
    ].join("|");
    if (!force && key === lastKey) return;
    lastKey = key;
    check = evaluate();
    paintPreview(st, s);
  }

  function paintPreview(st: SyncedState | null, s: SyncedSubnet | null) {
    const invalid = !check.ok && !check.quiet;
    setText(amountError, !check.ok && !check.quiet ? check.message : "");
    amount.setAttribute("aria-invalid", invalid ? "true" : "false");
    el.classList.toggle("has-error", invalid);
    setText(pv.minimumLabel, `At least (${tolerance.value}% tolerance)`);
    if (!check.ok || !st || !s) {
      for (const d of [pv.pay, pv.receive, pv.minimum, pv.avg, pv.fee, pv.share]) setText(d, "–");
      setText(pv.impact, "–");
      setText(pv.impactSub, "");
      pv.impact.className = "impact";
      preview.classList.add("empty");
      updateSubmit();
      return;
    }
    preview.classList.remove("empty");
    const { quote, minOut, shareBefore, shareAfter } = check.preview;
    const n = s.netuid;
    const buy = side === "stake";
    setText(pv.pay, buy ? tao(quote.amountIn.toString()) : alpha(quote.amountIn.toString(), n));
    setText(pv.receive, buy ? alpha(quote.amountOut.toString(), n) : tao(quote.amountOut.toString()));
    pv.receive.title = quote.amountOut.toString();
    setText(pv.minimum, buy ? alpha(minOut.toString(), n) : tao(minOut.toString()));
    const avg = Number(quote.avgPrice);
    const spot = Number(quote.priceBefore);
    const diff = spot > 0 ? avg / spot - 1 : 0;
    setText(pv.avg, `${num(avg)} τ/α${n}, ${diff >= 0 ? "+" : "−"}${pct(Math.abs(diff), 2)} vs spot ${num(spot)}`);
    const impact = Number(quote.priceImpact);
    const tier = impactTier(impact);
    setText(pv.impact, `${TIER_TEXT[tier]} ${pct(impact, 2)}`);
    setText(pv.impactSub, `price ${num(spot)} → ${num(Number(quote.priceAfter))} τ/α${n}`);
    pv.impact.className = `impact tier-${tier}`;
    setText(pv.fee, `${buy ? tao(quote.fee.toString()) : alpha(quote.fee.toString(), n)} (${pct(Number(st.rules.poolFee), 2)})`);
    if (st.rules.emissionRule === "rootWeights") {
      setText(pv.share, `${pct(Number(shareBefore), 2)}, unchanged: root weights set it`);
    } else {
      const d = Number(shareAfter) - Number(shareBefore);
      const arrow = Math.abs(d) < 5e-6 ? "≈" : d > 0 ? "▲" : "▼";
      const pp = `${d >= 0 ? "+" : "−"}${(Math.abs(d) * 100).toFixed(2)} pp`;
      setText(pv.share, `${pct(Number(shareBefore), 2)} → ${pct(Number(shareAfter), 2)} (${arrow} ${pp})`);
    }
    updateSubmit();
  }

  function updateSubmit() {
    const st = state();
    const open = tradingOpen(st);
    const s = selected();
    const verb = side === "stake" ? "Stake" : "Unstake";
    const tier = check.ok ? impactTier(Number(check.preview.quote.priceImpact)) : 0;
    if (!check.ok || tier < 2) confirming = false;
    submit.disabled = busy || !open || !check.ok;
    cancel.hidden = !confirming;
    confirmNote.hidden = !confirming;
    if (confirming && check.ok) {
      setText(confirmNote, `⚠ This trade moves the price by ${pct(Number(check.preview.quote.priceImpact), 1)}. ` +
        `You would ${side === "stake" ? "pay" : "get"} ${num(Number(check.preview.quote.avgPrice))} τ/α${s?.netuid ?? ""} on average, ` +
        `against ${num(Number(check.preview.quote.priceBefore))} at spot. Press again to confirm, or Cancel.`);
      setText(submit, `Confirm ${verb.toLowerCase()} (${pct(Number(check.preview.quote.priceImpact), 1)} impact)`);
    } else {
      setText(submit, busy ? `${verb}…` : s ? `${verb} ${side === "stake" ? "into" : "from"} SN${s.netuid}` : verb);
    }
    submit.classList.toggle("danger", confirming);
  }

  function paintBalances() {
    const st = state();
    const p = player();
    const s = selected();
    if (!p || !st) { setText(balance, ""); setText(rootFree, "–"); setText(rootHeld, "–"); return; }
    setText(balance, side === "stake" ? `Free: ${tao(p.tao)}` : s ? `You hold ${alpha(p.alpha[s.netuid] ?? "0", s.netuid)}` : "");
    setText(rootFree, tao(p.tao));
    setText(rootHeld, tao(p.rootStake));
  }

  function paintPhase() {
    const st = state();
    let text = "";
    if (!st) text = "";
    else if (!player()) text = "Spectators and hosts do not trade.";
    else if (st.phase === "lobby") text = "Trading opens when the host starts round 1. You can prepare an order now.";
    else if (st.phase === "resolving") text = "The round is resolving; the next one opens in a moment.";
    else if (st.phase === "ended") text = "The game has ended.";
    else if (st.paused) text = "The game is paused.";
    setText(phaseNote, text);
    phaseNote.hidden = text === "";
  }

  let subnetKey = "";
  function syncSubnetOptions(st: SyncedState) {
    const list = subnetsSorted(st);
    const key = list.map((s) => `${s.netuid}:${s.name}`).join("|");
    // Never rebuild a select the user has open; it catches up on the next render after blur.
    if (key === subnetKey || (document.activeElement === subnet && list.some((s) => s.netuid === subnet.value))) return;
    subnetKey = key;
    const keep = subnet.value;
    subnet.replaceChildren(...list.map((s) => h("option", { value: s.netuid }, `SN${s.netuid} · ${s.name}`)));
    if (list.some((s) => s.netuid === keep)) subnet.value = keep;
  }

  let validatorKey = "";
  function syncValidatorOptions(st: SyncedState) {
    const list = Object.values(st.validators).sort((a, b) => Number(b.rootStake) - Number(a.rootStake) || a.name.localeCompare(b.name));
    const key = list.map((v) => `${v.id}:${v.name}:${v.take}:${num(v.rootStake, 3)}`).join("|");
    if (key === validatorKey || document.activeElement === validator) return;
    validatorKey = key;
    const keep = validator.value;
    const mine = snap?.seat?.playerId;
    validator.replaceChildren(
      h("option", { value: "" }, player()?.role === "validator" ? "Default (yourself)" : "Default (largest root validator)"),
      ...list.map((v) => h("option", { value: v.id },
        `${v.id === mine ? "You" : v.name}${v.npc ? "" : " (player)"} · take ${pct(Number(v.take), 1)} · ${tao(v.rootStake)} root`)),
    );
    validator.value = list.some((v) => v.id === keep) ? keep : "";
  }

  function chosenValidator(): string | undefined {
    return validator.value || undefined;
  }

  // --- events -------------------------------------------------------------------------------
  const onSide = () => {
    side = sideUnstake.checked ? "unstake" : "stake";
    confirming = false;
    const s = selected();
    setText(amountLabel, side === "stake" ? "Amount (τ)" : `Amount (α${s?.netuid ?? ""})`);
    paintBalances();
    refreshPreview(true);
  };
  sideStake.addEventListener("change", onSide);
  sideUnstake.addEventListener("change", onSide);
  subnet.addEventListener("change", () => { confirming = false; onSide(); });
  tolerance.addEventListener("change", () => refreshPreview(true));
  amount.addEventListener("input", () => { confirming = false; setText(result, ""); result.className = "msg"; refreshPreview(); });
  maxBtn.addEventListener("click", () => {
    const p = player();
    const s = selected();
    if (!p) return;
    amount.value = side === "stake" ? p.tao : (s ? p.alpha[s.netuid] ?? "0" : "0");
    confirming = false;
    refreshPreview(true);
    amount.focus();
  });
  cancel.addEventListener("click", () => { confirming = false; updateSubmit(); amount.focus(); });

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    refreshPreview(true);
    if (busy || submit.disabled || !check.ok) {
      if (!check.ok && check.quiet && check.message) { setText(amountError, check.message); amount.focus(); }
      return;
    }
    const st = state();
    const s = selected();
    if (!st || !s) return;
    const { amount: x, quote, minOut } = check.preview;
    if (impactTier(Number(quote.priceImpact)) === 2 && !confirming) {
      confirming = true;
      updateSubmit();
      submit.focus();
      return;
    }
    confirming = false;
    const buy = side === "stake";
    const pool = { taoReserve: s.taoReserve, alphaReserve: s.alphaReserve };
    const limitPrice = limitForMinimum(buy, pool, x, swapParamsOf(st), minOut, quote);
    const validatorId = chosenValidator();
    const payload: Record<string, unknown> = buy ? { subnet: Number(s.netuid), tao: amt(x) } : { subnet: Number(s.netuid), alpha: amt(x) };
    if (limitPrice) payload.limitPrice = limitPrice;
    if (validatorId) payload.validator = validatorId;
    busy = true;
    updateSubmit();
    const sent = buy ? `Staked ${tao(amt(x))} into SN${s.netuid}` : `Unstaked ${alpha(amt(x), s.netuid)} from SN${s.netuid}`;
    void conn.send(side, payload).then((r) => {
      busy = false;
      showResult(result, r.ok ? r : { ...r, message: explainServerError(r.code, r.message) }, sent);
      if (r.ok) { amount.value = ""; }
      refreshPreview(true);
    });
  });

  function explainServerError(code: string | undefined, message: string | undefined): string | undefined {
    if (code === "pool/limit_price") return `The price moved past your ${tolerance.value}% tolerance before your order arrived, so nothing was traded. Check the new preview and try again.`;
    return message;
  }

  // root
  rootFree.addEventListener("click", () => { const p = player(); if (p) { rootAmount.value = p.tao; paintRoot(); rootAmount.focus(); } });
  rootHeld.addEventListener("click", () => { const p = player(); if (p) { rootAmount.value = p.rootStake; paintRoot(); rootAmount.focus(); } });
  rootAmount.addEventListener("input", () => { setText(rootResult, ""); rootResult.className = "msg"; paintRoot(); });
  rootForm.addEventListener("submit", (e) => {
    // Enter in the root field: two possible actions, so make the user pick one.
    e.preventDefault();
    if (!rootAmount.value.trim()) setText(rootError, "Enter an amount of τ, then choose Stake on root or Unstake from root.");
  });

  type RootCheck = { amount?: Dec; stake: string | null; unstake: string | null; shown: string };
  function rootCheck(): RootCheck {
    const st = state();
    const p = player();
    if (!st || !p) return { stake: "", unstake: "", shown: "" };
    const raw = rootAmount.value.trim().replace(/\s+/g, "").replace(",", ".");
    if (raw === "") return { stake: "", unstake: "", shown: "" };
    const parsed = parseAmount(raw, "The amount");
    if (!parsed.ok) return { stake: parsed.error.message, unstake: parsed.error.message, shown: `${parsed.error.message}.` };
    const x = parsed.value;
    const stake = x.gt(p.tao) ? `Above your balance: you have ${tao(p.tao)} free.`
      : x.lt(st.rules.minStake) ? `The minimum stake is ${st.rules.minStake} τ.` : null;
    const unstake = x.gt(p.rootStake) ? `Above your root stake: you have ${tao(p.rootStake)} on root.` : null;
    // Only say what is wrong when neither action is possible, or name the blocked one.
    const shown = stake && unstake ? stake === unstake ? stake : `${stake} ${unstake}` : stake ? `To stake: ${stake}` : unstake && !dec(p.rootStake).isZero() ? `To unstake: ${unstake}` : "";
    return { amount: x, stake, unstake, shown };
  }

  function paintRoot() {
    const st = state();
    const c = rootCheck();
    setText(rootError, c.shown);
    rootAmount.setAttribute("aria-invalid", c.stake && c.unstake ? "true" : "false");
    const open = tradingOpen(st) && !!player();
    rootStake.disabled = rootBusy || !open || c.stake !== null;
    rootUnstake.disabled = rootBusy || !open || c.unstake !== null;
  }

  const sendRoot = (type: "stakeRoot" | "unstakeRoot") => {
    const c = rootCheck();
    if (!c.amount || rootBusy) return;
    const payload: Record<string, unknown> = { tao: amt(c.amount) };
    const v = chosenValidator();
    if (v) payload.validator = v;
    rootBusy = true;
    paintRoot();
    void conn.send(type, payload).then((r) => {
      rootBusy = false;
      showResult(rootResult, r, type === "stakeRoot" ? `Staked ${tao(amt(c.amount!))} on root` : `Unstaked ${tao(amt(c.amount!))} from root`);
      if (r.ok) rootAmount.value = "";
      paintRoot();
    });
  };
  rootStake.addEventListener("click", () => sendRoot("stakeRoot"));
  rootUnstake.addEventListener("click", () => sendRoot("unstakeRoot"));

  return {
    el,
    render(s) {
      snap = s;
      const st = s.state;
      if (!st) return;
      syncSubnetOptions(st);
      syncValidatorOptions(st);
      const sn = selected();
      if (side === "unstake") setText(amountLabel, `Amount (α${sn?.netuid ?? ""})`);
      paintPhase();
      paintBalances();
      refreshPreview();
      updateSubmit();
      paintRoot();
    },
  };
}
