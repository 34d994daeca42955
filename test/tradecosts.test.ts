/**
 * Fee and slippage accounting (the portfolio's per-round "where your TAO came from"): the pure
 * `tradeCost` of one swap against the closed form of a constant-product pool, and the engine's
 * per-player, per-round totals (`state.tradeCosts`, reported in `RoundReport.income`): a stake's fee
 * is poolFee × input, slippage is never negative, root stake costs nothing, the totals restart
 * every round, and a replay of the log reproduces them exactly.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  applyAction, applyActions, auditTao, type BatchEntry, BOT_STRATEGIES, botActions, botRole, ceilRao, createGame, dec, type Dec,
  floorRao, type GameState, HOST_ID, type LogEntry, quoteStake, quoteUnstake, RAO, replay, resolveRound, Rng, sharedView,
  stateHash, tradeCost, type PoolReserves, type SwapParams,
} from "../shared/index.js";
import { must, QUIET, startedGame } from "./support/game.js";

const FEE: SwapParams = { fee: dec("0.0005"), minReserve: dec("0.01") };
const pool = (t: string, a: string): PoolReserves => ({ taoReserve: t, alphaReserve: a });

function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

describe("tradeCost of one swap", () => {
  it("stake 10 τ into 100 τ / 1000 α: fee 0.005 τ, slippage net²/(T+net) to the rao", () => {
    const p = pool("100", "1000");
    const q = value(quoteStake(p, dec(10), FEE));
    const c = tradeCost(true, p, q);
    expect(c.fee.toString()).toBe("0.005");
    // net = 9.995; α_out = 90.867766716 is worth 9.0867766716 τ at p = 0.1 (rounded down to 9.086776671)
    expect(c.slippage.toString()).toBe("0.908223329");
    // closed form: net − T·net/(T+net) = net²/(T+net) = 0.90822332833...
    expect(c.slippage.minus(dec("9.995").pow(2).div("109.995")).abs().lte(RAO)).toBe(true);
  });

  it("unstake: the alpha fee is valued at the pre-trade spot price", () => {
    const p = pool("100", "1000");
    const q = value(quoteUnstake(p, dec(50), FEE));
    const c = tradeCost(false, p, q);
    expect(q.fee.toString()).toBe("0.025"); // α
    expect(c.fee.toString()).toBe("0.0025"); // 0.025 α × 0.1 τ/α
    // net 49.975 α is worth 4.9975 τ at spot; the pool pays T·n/(A+n) = 4.7595... τ
    const net = dec("49.975");
    const closed = dec(100).times(net.pow(2)).div(dec(1000).times(dec(1000).plus(net))); // T·n²/(A(A+n))
    expect(c.slippage.minus(closed).abs().lte(RAO.times(2))).toBe(true);
    expect(c.slippage.plus(q.amountOut).toString()).toBe("4.9975");
  });

  it("for any pool and amount: fee = ceil(poolFee × input), 0 ≤ slippage, and the closed form holds", () => {
    const raoAmount = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => floorRao(dec(n).div(1000)));
    fc.assert(fc.property(raoAmount(1_000_000, 5_000_000_000), raoAmount(1_000_000, 5_000_000_000), raoAmount(1, 50_000_000), fc.boolean(),
      (t, a, amount, buy) => {
        const p = pool(t.toString(), a.toString());
        const q = buy ? quoteStake(p, amount, FEE) : quoteUnstake(p, amount, FEE);
        if (!q.ok) return; // too small, or beyond the reserve floor
        const c = tradeCost(buy, p, q.value);
        const spot = t.div(a);
        expect(c.fee.decimalPlaces()).toBeLessThanOrEqual(9);
        expect(c.slippage.decimalPlaces()).toBeLessThanOrEqual(9);
        expect(c.slippage.gte(0)).toBe(true);
        const feeIn = ceilRao(amount.times(FEE.fee));
        const net = amount.minus(feeIn);
        let closed: Dec;
        if (buy) {
          expect(c.fee.eq(feeIn)).toBe(true);
          closed = net.pow(2).div(t.plus(net)); // net − T·net/(T+net)
        } else {
          expect(c.fee.eq(floorRao(feeIn.times(spot)))).toBe(true);
          closed = t.times(net.pow(2)).div(a.times(a.plus(net))); // net·p − T·net/(A+net)
        }
        // The pool rounds its output down to the rao (worth up to a rao of the output at spot), and
        // the valuation rounds to the rao.
        const tolerance = RAO.times(2).plus(RAO.times(buy ? spot : 1));
        expect(c.slippage.minus(closed).abs().lte(tolerance), `${c.slippage} vs ${closed}`).toBe(true);
      }), { numRuns: 300 });
  });
});

describe("a player's trade costs per round", () => {
  const people: [string, "staker" | "builder"][] = [["ana", "staker"], ["bo", "staker"]];

  it("a stake's fee is poolFee × input and its slippage the shortfall at the pre-trade price", () => {
    const s = startedGame(QUIET, 7, people);
    const before = s.subnets["1"];
    const s1 = must(applyAction(s, "ana", { type: "stake", subnet: 1, tao: "100" }));
    const cost = s1.tradeCosts?.ana;
    expect(cost?.fees).toBe(ceilRao(dec(100).times(s.config.poolFee)).toString());
    const out = dec(s1.players.ana.alpha["1"]);
    const worthAtSpot = floorRao(out.times(before.taoReserve).div(before.alphaReserve));
    expect(dec(cost!.slippage).eq(dec(100).minus(cost!.fees).minus(worthAtSpot))).toBe(true);
    expect(dec(cost!.slippage).gt(0)).toBe(true);
    expect(s1.tradeCosts?.bo).toBeUndefined();
    expect(auditTao(s1).problems).toEqual([]);
  });

  it("root stake costs nothing; an idle person still gets a zero income record", () => {
    let s = startedGame(QUIET, 7, people);
    s = must(applyAction(s, "ana", { type: "stakeRoot", tao: "200" }));
    s = must(applyAction(s, "ana", { type: "unstakeRoot", tao: "50" }));
    expect(s.tradeCosts).toBeUndefined();
    const { report } = resolveRound(s);
    expect(report.income.ana).toMatchObject({ fees: "0", slippage: "0" });
    expect(report.income.bo).toEqual({ alpha: {}, rootTao: "0", ownerCut: {}, fees: "0", slippage: "0" });
  });

  it("sums the round's trades, reports them in the income, and starts again from nothing", () => {
    let s = startedGame(QUIET, 8, people);
    const costs: { fee: Dec; slippage: Dec }[] = [];
    const trade = (action: { type: "stake"; subnet: number; tao: string } | { type: "unstake"; subnet: number; alpha: string }) => {
      const pre = s.subnets[String(action.subnet)];
      const q = action.type === "stake"
        ? value(quoteStake(pre, dec(action.tao), { fee: dec(s.config.poolFee), minReserve: dec(s.config.minPoolReserve) }))
        : value(quoteUnstake(pre, dec(action.alpha), { fee: dec(s.config.poolFee), minReserve: dec(s.config.minPoolReserve) }));
      costs.push(tradeCost(action.type === "stake", pre, q));
      s = must(applyAction(s, "ana", action));
    };
    trade({ type: "stake", subnet: 1, tao: "100" });
    trade({ type: "stake", subnet: 2, tao: "50" });
    trade({ type: "unstake", subnet: 1, alpha: floorRao(dec(s.players.ana.alpha["1"]).div(2)).toString() });
    const fees = costs.reduce((t, c) => t.plus(c.fee), dec(0));
    const slippage = costs.reduce((t, c) => t.plus(c.slippage), dec(0));
    expect(s.tradeCosts?.ana).toEqual({ fees: fees.toString(), slippage: slippage.toString() });

    const r1 = resolveRound(s);
    expect(r1.report.income.ana.fees).toBe(fees.toString());
    expect(r1.report.income.ana.slippage).toBe(slippage.toString());
    expect(dec(r1.report.income.ana.alpha["1"] ?? "0").gte(0)).toBe(true);
    expect(r1.state.tradeCosts).toBeUndefined();
    expect(auditTao(r1.state).problems).toEqual([]);

    // Next round: only a root stake, so nothing to report.
    const s2 = must(applyAction(r1.state, "ana", { type: "stakeRoot", tao: "10" }));
    const r2 = resolveRound(s2);
    expect(r2.report.income.ana).toMatchObject({ fees: "0", slippage: "0" });
  });

  it("the payouts are split into the owner's cut and dividends", () => {
    const s = startedGame(QUIET, 9, people);
    const { report } = resolveRound(must(applyAction(s, "ana", { type: "stake", subnet: 1, tao: "100" })));
    for (const x of report.subnets) {
      const owner = s.subnets[x.netuid].owner;
      expect(report.income[owner].ownerCut[x.netuid]).toBe(x.ownerAlpha);
      expect(dec(report.income[owner].alpha[x.netuid]).gte(x.ownerAlpha)).toBe(true);
    }
    expect(report.income.ana.ownerCut).toEqual({});
  });

  it("a replay of the log reproduces the costs and the income exactly, mid-round too", () => {
    const config = {};
    const seed = 11;
    const log: LogEntry[] = [
      { kind: "action", playerId: "ana", action: { type: "join", name: "Ana", role: "staker" } },
      { kind: "action", playerId: "bo", action: { type: "join", name: "Bo", role: "validator" } },
      { kind: "action", playerId: HOST_ID, action: { type: "start" } },
      { kind: "action", playerId: "ana", action: { type: "stake", subnet: 1, tao: "120.5" } },
      { kind: "action", playerId: "bo", action: { type: "stake", subnet: 2, tao: "33" } },
      { kind: "action", playerId: "ana", action: { type: "unstake", subnet: 1, alpha: "3" } },
      { kind: "resolve" },
      { kind: "action", playerId: "bo", action: { type: "stake", subnet: 3, tao: "7" } },
    ];
    // Live: action by action, the bots' batched path for the first round's trades.
    let live: GameState = createGame(config, seed);
    const reports = [];
    for (const [i, e] of log.entries()) {
      if (e.kind === "resolve") {
        const r = resolveRound(live);
        live = r.state;
        reports.push(r.report);
      } else if (i === 3) {
        const batch = applyActions(live, log.slice(3, 6).map((x) => ({ playerId: (x as { playerId: string }).playerId, action: (x as { action: unknown }).action })));
        expect(batch.results.every((r) => r.ok)).toBe(true);
        live = batch.state;
      } else if (i < 3 || i > 5) live = must(applyAction(live, e.playerId, e.action));
    }
    const again = replay(config, seed, log);
    expect(again.rejected).toEqual([]);
    expect(stateHash(again.state)).toBe(stateHash(live));
    expect(again.state.tradeCosts).toEqual(live.tradeCosts);
    expect(Object.keys(live.tradeCosts ?? {})).toEqual(["bo"]);
    expect(JSON.stringify(again.reports)).toBe(JSON.stringify(reports));
    expect(dec(reports[0].income.ana.fees).gt(0)).toBe(true);
    expect(dec(reports[0].income.bo.fees).eq(ceilRao(dec(33).times(live.config.poolFee)))).toBe(true);
  });

  it("in a bot game, every round's costs match the balances' changes, and every person is reported", () => {
    let s = createGame({ scenario: "dtao-launch", maxPlayers: 60 }, 13);
    const ids: string[] = [];
    BOT_STRATEGIES.forEach((strategy, i) => {
      s = must(applyAction(s, `b${i}`, { type: "join", name: strategy, role: botRole(strategy) }));
      ids.push(`b${i}`);
    });
    s = must(applyAction(s, HOST_ID, { type: "start" }));
    let trades = 0;
    for (let round = 0; round < 4; round++) {
      const batch: BatchEntry[] = [];
      ids.forEach((id, i) => {
        for (const action of botActions(BOT_STRATEGIES[i], sharedView(s, id), new Rng(Rng.seedState(round * 101 + i)))) batch.push({ playerId: id, action });
      });
      // Expected costs, from each accepted trade's balance changes and the pool it met.
      const expected = new Map<string, { fees: Dec; slippage: Dec }>();
      let folded = s;
      for (const e of batch) {
        const r = applyAction(folded, e.playerId, e.action);
        if (!r.ok) continue;
        const a = e.action as { type: string; subnet?: number };
        if (a.type === "stake" || a.type === "unstake") {
          const n = String(a.subnet);
          const pre = folded.subnets[n];
          const p = pre.taoReserve;
          const before = folded.players[e.playerId];
          const after = r.state.players[e.playerId];
          const taoDiff = dec(after.tao).minus(before.tao);
          const alphaDiff = dec(after.alpha[n] ?? "0").minus(before.alpha[n] ?? "0");
          const f = dec(folded.config.poolFee);
          let fee: Dec;
          let slip: Dec;
          if (a.type === "stake") {
            const gross = taoDiff.neg();
            fee = ceilRao(gross.times(f));
            slip = gross.minus(fee).minus(floorRao(alphaDiff.times(p).div(pre.alphaReserve)));
          } else {
            const gross = alphaDiff.neg();
            const feeAlpha = ceilRao(gross.times(f));
            fee = floorRao(feeAlpha.times(p).div(pre.alphaReserve));
            slip = floorRao(gross.minus(feeAlpha).times(p).div(pre.alphaReserve)).minus(taoDiff);
          }
          const acc = expected.get(e.playerId) ?? { fees: dec(0), slippage: dec(0) };
          expected.set(e.playerId, { fees: acc.fees.plus(fee), slippage: acc.slippage.plus(slip) });
          trades++;
        }
        folded = r.state;
      }
      const applied = applyActions(s, batch).state;
      expect(stateHash(applied)).toBe(stateHash(folded));
      const { state, report } = resolveRound(applied);
      for (const id of ids) {
        const inc = report.income[id];
        expect(inc, `${id} has an income record`).toBeDefined();
        const want = expected.get(id) ?? { fees: dec(0), slippage: dec(0) };
        expect(inc.fees, `${id} fees in round ${round + 1}`).toBe(want.fees.toString());
        expect(inc.slippage, `${id} slippage in round ${round + 1}`).toBe(want.slippage.toString());
        expect(dec(inc.slippage).gte(0)).toBe(true);
      }
      expect(state.tradeCosts).toBeUndefined();
      expect(auditTao(state).problems).toEqual([]);
      s = state;
    }
    expect(trades).toBeGreaterThan(10);
  });
});
