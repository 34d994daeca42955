/**
 * Portfolio: free TAO, root stake, alpha per subnet at spot and at what selling it now would really
 * return (the engine's `liquidationValue`: `quoteUnstake(...).amountOut`, with the reserve floor
 * handled as the leaderboard does), totals and profit against the starting grant; and per round,
 * where the TAO came from: income (alpha earned, root TAO; the owner cut apart from dividends), the
 * fees and slippage of your trades (the engine's `PlayerIncome.fees`, `.slippage`), and the rest of
 * the change of spot value, price moves.
 */
import { dec, GameConfigSchema, liquidationValue, type Dec } from "../../../shared/index";
import type { ArenaConnection } from "../net";
import type { Income, SyncedPlayer, SyncedState } from "../types";
import { alpha, num, tao } from "../format";
import { fill, h, term, type Panel } from "./dom";
import { me, setText, subnetsSorted, swapParamsOf } from "./ticket";

/** The grant every player starts with (the engine's default `startingTao`; not part of the synced state). */
export const STARTING_TAO = Number(GameConfigSchema.parse({}).startingTao);

function signed(x: number, unit = "τ"): string {
  if (Math.abs(x) < 5e-10) return `0 ${unit}`;
  return `${x > 0 ? "▲ +" : "▼ −"}${num(Math.abs(x))} ${unit}`;
}

function signClass(x: number): string {
  return Math.abs(x) < 5e-10 ? "num" : x > 0 ? "num gain" : "num loss";
}

export function liquidationOf(st: SyncedState, p: SyncedPlayer): { total: Dec; bySubnet: Record<string, Dec> } {
  const params = swapParamsOf(st);
  let total = dec(p.tao).plus(p.rootStake);
  const bySubnet: Record<string, Dec> = {};
  for (const [n, a] of Object.entries(p.alpha)) {
    const s = st.subnets[n];
    if (!s || dec(a).isZero()) continue;
    const v = liquidationValue({ taoReserve: s.taoReserve, alphaReserve: s.alphaReserve }, dec(a), params);
    bySubnet[n] = v;
    total = total.plus(v);
  }
  return { total, bySubnet };
}

function incomeValue(income: Income, price: (n: string) => number): number {
  let v = Number(income.rootTao);
  for (const [n, a] of Object.entries(income.alpha)) v += Number(a) * price(n);
  return v;
}

/** The owner cut's value (emission paid to a subnet's owner); the rest of the income is dividends. */
function ownerCutValue(income: Income, price: (n: string) => number): number {
  let v = 0;
  for (const [n, a] of Object.entries(income.ownerCut ?? {})) v += Number(a) * price(n);
  return v;
}

/** A signed TAO amount in the income table, whose headers carry the unit (the cells stay narrow enough for a phone). */
function signedBare(x: number): string {
  return Math.abs(x) < 5e-10 ? "0" : `${x > 0 ? "+" : "−"}${num(Math.abs(x))}`;
}

/** A cost (fee, slippage) in TAO: shown as a loss, "0" when there was none. */
function costText(x: number): string {
  return Math.abs(x) < 5e-10 ? "0" : `−${num(x)}`;
}

function costClass(x: number, extra: string): string {
  return `${Math.abs(x) < 5e-10 ? "num muted" : "num loss"} ${extra}`;
}

export function createPortfolioPanel(_conn: ArenaConnection): Panel {
  const sum = {
    free: h("dd", { class: "num", id: "pf-free" }),
    root: h("dd", { class: "num", id: "pf-root" }),
    alphaSpot: h("dd", { class: "num", id: "pf-alpha" }),
    spot: h("dd", { class: "num", id: "pf-spot" }),
    liq: h("dd", { class: "num", id: "pf-liq" }),
    profitSpot: h("dd", { class: "num", id: "pf-profit-spot" }),
    profitLiq: h("dd", { class: "num", id: "pf-profit-liq" }),
  };
  const summary = h("dl", { class: "summary" },
    h("dt", {}, "Free"), sum.free,
    h("dt", {}, "Staked on ", term("root")), sum.root,
    h("dt", {}, term("alpha", "Alpha"), " at spot"), sum.alphaSpot,
    h("dt", {}, "Total at spot"), sum.spot,
    h("dt", {}, "Total if sold now"), sum.liq,
    h("dt", {}, `Profit vs ${num(STARTING_TAO)} τ start (spot)`), sum.profitSpot,
    h("dt", {}, "Profit if sold now"), sum.profitLiq,
  );
  const holdingsBody = h("tbody", { id: "pf-holdings" });
  const holdings = h("table", { class: "holdings" },
    h("caption", { class: "sr" }, "Alpha holdings"),
    h("thead", {}, h("tr", {}, h("th", {}, "Subnet · price"), h("th", { class: "num" }, "Alpha"),
      h("th", { class: "num" }, "Spot value"), h("th", { class: "num" }, "If sold now"))),
    holdingsBody);
  const incomeBody = h("tbody", { id: "pf-income" });
  const income = h("table", { class: "income" },
    h("caption", { class: "sr" }, "Income per round"),
    h("thead", {}, h("tr", {}, h("th", { class: "num" }, "Rd"), h("th", { class: "num" }, "Earned"),
      h("th", { class: "num fees", title: "Pool fees of your trades that round, τ" }, "Fees τ"),
      h("th", { class: "num slip", title: "Slippage of your trades that round, τ" }, term("slippage", "Slippage"), " τ"),
      h("th", { class: "num costs", title: "Fees and slippage of your trades that round, τ" }, "Fees · slip τ"),
      h("th", { class: "num" }, "Price moves τ"), h("th", { class: "num worth" }, "Worth now τ"))),
    incomeBody);
  const note = h("p", { class: "muted", id: "pf-note" });
  const el = h("section", { class: "card portfolio", id: "portfolio", "aria-label": "Portfolio" },
    h("h2", {}, "Portfolio"), note, summary,
    h("div", { class: "table-scroll" }, holdings),
    h("h3", {}, "Where your TAO came from"),
    h("p", { class: "hint" }, "Earned: what emission paid you each round (owner cut and dividends). ",
      "Fees and slippage: what your trades cost against the price just before each one. ",
      "Price moves: the rest of the change in your spot value that round. Worth now: the income at today's prices."),
    h("div", { class: "table-scroll" }, income));

  /** Spot net worth right after each round resolved (recorded when the block count moves). */
  const nwAfter = new Map<number, number>();
  let lastBlock = -1;
  let holdingsKey = "";
  let incomeKey = "";

  function recordNetWorth(st: SyncedState, p: SyncedPlayer) {
    if (st.block === lastBlock) return;
    const first = lastBlock === -1;
    lastBlock = st.block;
    if (first && st.phase !== "lobby") return; // joined mid-round: this value already includes this round's trades
    const resolved = st.phase === "acting" ? Math.max(0, st.round - 1) : st.phase === "lobby" ? 0 : st.round;
    if (!nwAfter.has(resolved)) nwAfter.set(resolved, Number(p.netWorth));
  }

  return {
    el,
    render(s) {
      const st = s.state;
      const p = me(s);
      el.classList.toggle("empty", !p);
      if (!st || !p) {
        setText(note, st ? "Join as a player to hold a portfolio." : "");
        return;
      }
      setText(note, "");
      recordNetWorth(st, p);

      const subs = subnetsSorted(st);
      const key = [p.tao, p.rootStake, p.netWorth, JSON.stringify(p.alpha), subs.map((x) => `${x.netuid}:${x.taoReserve}:${x.alphaReserve}`).join(",")].join("|");
      if (key !== holdingsKey) {
        holdingsKey = key;
        const liq = liquidationOf(st, p);
        let alphaSpot = 0;
        const rows = subs.filter((x) => !dec(p.alpha[x.netuid] ?? "0").isZero()).map((x) => {
          const a = p.alpha[x.netuid];
          const price = Number(x.taoReserve) / Number(x.alphaReserve);
          const spot = Number(a) * price;
          alphaSpot += spot;
          const l = Number(liq.bySubnet[x.netuid] ?? 0);
          const haircut = spot > 0 ? 1 - l / spot : 0;
          return h("tr", {},
            h("td", {}, `SN${x.netuid} ${x.name}`, h("span", { class: "sub num", title: x.price }, `${num(price)} τ/α`)),
            h("td", { class: "num", title: a }, alpha(a, x.netuid)),
            h("td", { class: "num" }, tao(spot)),
            h("td", { class: "num", title: `${(haircut * 100).toFixed(2)}% below spot after fee and slippage` }, tao(l)));
        });
        fill(holdingsBody, ...(rows.length ? rows : [h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No alpha yet: stake TAO into a subnet to get its alpha."))]));
        const spotTotal = Number(p.netWorth);
        const liqTotal = Number(liq.total);
        setText(sum.free, tao(p.tao));
        setText(sum.root, tao(p.rootStake));
        setText(sum.alphaSpot, tao(alphaSpot));
        setText(sum.spot, tao(spotTotal));
        setText(sum.liq, tao(liqTotal));
        setText(sum.profitSpot, signed(spotTotal - STARTING_TAO));
        sum.profitSpot.className = signClass(spotTotal - STARTING_TAO);
        setText(sum.profitLiq, signed(liqTotal - STARTING_TAO));
        sum.profitLiq.className = signClass(liqTotal - STARTING_TAO);
      }

      const ikey = `${s.incomeHistory.length}|${s.reports.length}|${[...nwAfter.entries()].join(";")}|${subs.map((x) => x.price).join(",")}`;
      if (ikey !== incomeKey) {
        incomeKey = ikey;
        const priceNow = (n: string) => { const x = st.subnets[n]; return x ? Number(x.taoReserve) / Number(x.alphaReserve) : 0; };
        const rows = [...s.incomeHistory].sort((a, b) => b.round - a.round).slice(0, 30).map(({ round, income: inc }) => {
          const report = s.reports.find((r) => r.round === round);
          const priceThen = (n: string) => { const x = report?.prices?.[n] ?? report?.subnets.find((y) => y.netuid === n)?.price; return x !== undefined ? Number(x) : priceNow(n); };
          const earned = [...Object.entries(inc.alpha).filter(([, a]) => Number(a) > 0).map(([n, a]) => alpha(a, n)),
            ...(Number(inc.rootTao) > 0 ? [`${tao(inc.rootTao)} root`] : [])];
          const valueNow = incomeValue(inc, priceNow);
          const valueThen = incomeValue(inc, priceThen);
          const ownerCut = ownerCutValue(inc, priceThen);
          const fees = Number(inc.fees ?? 0);
          const slippage = Number(inc.slippage ?? 0);
          const after = nwAfter.get(round);
          const before = nwAfter.get(round - 1) ?? (round === 1 ? STARTING_TAO : undefined);
          const change = after !== undefined && before !== undefined ? after - before : null;
          // change = earned − fees − slippage + price moves (all at spot)
          const moves = change !== null ? change - valueThen + fees + slippage : null;
          const split = ownerCut > 0 ? `owner cut ${tao(ownerCut)}, dividends ${tao(valueThen - ownerCut)}` : `dividends ${tao(valueThen)}`;
          return h("tr", { "data-round": round },
            h("td", { class: "num" }, String(round)),
            h("td", { class: "num earned", title: `${split} at that round's prices` },
              ...(earned.length ? earned.map((e) => h("span", { class: "line" }, e)) : ["–"]),
              ownerCut > 0 ? h("span", { class: "sub" }, `owner cut ${tao(ownerCut)}`) : null,
              h("span", { class: "sub worth-sub" }, `now ${tao(valueNow)}`)),
            h("td", { class: costClass(fees, "fees"), "data-fees": inc.fees ?? "0", title: `${inc.fees ?? "0"} τ` }, costText(fees)),
            h("td", { class: costClass(slippage, "slip"), "data-slippage": inc.slippage ?? "0", title: `${inc.slippage ?? "0"} τ` }, costText(slippage)),
            h("td", { class: costClass(fees + slippage, "costs"), title: `fees ${inc.fees ?? "0"} τ, slippage ${inc.slippage ?? "0"} τ` },
              h("span", { class: "line" }, costText(fees)), h("span", { class: "line" }, costText(slippage))),
            h("td", { class: moves === null ? "num muted moves" : `${signClass(moves)} moves`, title: change === null ? "" : `Spot value changed by ${signed(change)} this round` },
              moves === null ? "–" : signedBare(moves)),
            h("td", { class: "num worth", title: `${tao(valueNow)} at today's prices` }, num(valueNow)));
        });
        fill(incomeBody, ...(rows.length ? rows : [h("tr", {}, h("td", { colspan: 6, class: "muted" }, "Your income appears here after each round resolves."))]));
      }
    },
  };
}
