/**
 * One resolution, checked against the mechanics file by hand: emission per tempo, the alpha_out
 * split (owner 18%, miners 41%, validators + root 41% via root_prop), neutral injection, shares.
 */
import { describe, expect, it } from "vitest";
import {
  applyAction, auditTao, dec, Decimal, floorRao, HOST_ID, resolveRound, stateHash, type GameState,
} from "../shared/index.js";
import { must, QUIET, startedGame } from "./support/game.js";

function totalRoot(s: GameState) {
  return s.playerOrder.reduce((t, id) => t.plus(s.players[id].rootStake), dec(0));
}

describe("resolveRound", () => {
  it("emits one tempo of block reward: 360 blocks × 1 τ below the halving", () => {
    const s = startedGame(QUIET, 3, []);
    const { state, report } = resolveRound(s);
    expect(report.blockEmission).toBe("1");
    expect(report.emitted).toBe("360");
    expect(dec(state.issuance).minus(s.issuance).toString()).toBe("360");
    expect(state.block).toBe(360);
    expect(auditTao(state).problems).toEqual([]);
  });

  it("halves the block reward past 10.5M issued, and the host's halving shock forces it", () => {
    const s = startedGame({ ...QUIET, initialIssuance: "10499900" }, 3, []);
    const { report } = resolveRound(s);
    // 100 blocks at 1 τ reach 10.5M, the remaining 260 at 0.5 τ (§1).
    expect(report.emitted).toBe("230");
    const shocked = must(applyAction(startedGame(QUIET, 3, []), HOST_ID, { type: "shock", kind: "halving" }));
    const r2 = resolveRound(shocked);
    expect(r2.report.emitted).toBe("180");
    expect(auditTao(r2.state).problems).toEqual([]);
  });

  it("splits alpha_out 18% owner, 41% miners, 41% validators and root by root_prop", () => {
    const s = startedGame(QUIET, 5, []);
    const wRoot = totalRoot(s).mul("0.18");
    const { report } = resolveRound(s);
    for (const sn of report.subnets) {
      expect(sn.alphaOut).toBe("360");
      expect(sn.ownerAlpha).toBe("64.8"); // floor(0.18 × 360)
      expect(sn.minerAlpha).toBe("147.6"); // floor((360 − 64.8)/2)
      const valTotal = new Decimal("147.6");
      const issued = dec(s.subnets[sn.netuid].alphaIssued).plus(sn.alphaIn).minus(sn.alphaBurned);
      const rootProp = wRoot.div(wRoot.plus(issued));
      expect(sn.rootAlpha).toBe(floorRao(valTotal.mul(rootProp)).toString());
      expect(dec(sn.validatorAlpha).plus(sn.rootAlpha).toString()).toBe("147.6");
    }
  });

  it("shares are non-negative and sum to exactly 1 under every rule set", () => {
    for (const ruleset of ["root-weights", "dtao-price", "dtao-flow"] as const) {
      let s = startedGame({ ruleset }, 9, [["ana", "staker"]]);
      s = must(applyAction(s, "ana", { type: "stake", subnet: 2, tao: "300" }));
      const { report } = resolveRound(s);
      const shares = report.subnets.map((x) => dec(x.share));
      expect(shares.every((x) => x.gte(0))).toBe(true);
      expect(shares.reduce((a, b) => a.plus(b), dec(0)).toString()).toBe("1");
      expect(report.ruleset).toBe(ruleset);
    }
  });

  it("an uncapped injection leaves the price unchanged (quiet market, no root selling)", () => {
    // No root stake means root_prop = 0, so nothing is sold into the pool; emission only injects.
    const s = startedGame({ ...QUIET, npcRootStake: "0", rootValidators: 1 }, 4, []);
    const { state, report } = resolveRound(s);
    for (const sn of report.subnets) {
      const before = dec(s.subnets[sn.netuid].taoReserve).div(s.subnets[sn.netuid].alphaReserve);
      const after = dec(state.subnets[sn.netuid].taoReserve).div(state.subnets[sn.netuid].alphaReserve);
      if (dec(sn.alphaIn).lt(360)) expect(after.minus(before).abs().lte(before.mul("1e-9"))).toBe(true);
      else expect(after.gte(before)).toBe(true); // a capped injection never lowers p
    }
  });

  it("under Taoflow a subnet with non-positive flow EMA gets no TAO", () => {
    let s = startedGame({ ...QUIET, ruleset: "dtao-flow" }, 2, [["ana", "staker"]]);
    s = must(applyAction(s, "ana", { type: "stake", subnet: 3, tao: "500" }));
    // Starve every other subnet's flow EMA to zero, as after sustained outflows.
    const subnets = Object.fromEntries(Object.entries(s.subnets).map(([k, v]) => [k, { ...v, flowEma: k === "3" ? v.flowEma : "-5" }]));
    const { report } = resolveRound({ ...s, subnets });
    for (const sn of report.subnets) {
      if (sn.netuid === "3") expect(sn.share).toBe("1");
      else expect(sn.share).toBe("0");
    }
  });

  it("pays root dividends as TAO into root stake under dtao-price", () => {
    const s = startedGame(QUIET, 6, [["ana", "staker"]]);
    const s1 = must(applyAction(s, "ana", { type: "stakeRoot", tao: "500" }));
    const { state, report } = resolveRound(s1);
    expect(dec(state.players.ana.rootStake).gt(500)).toBe(true);
    expect(dec(report.income.ana.rootTao).gt(0)).toBe(true);
    expect(state.players.ana.tao).toBe("500");
  });

  it("under Taoflow a keep-mode root staker receives alpha instead of TAO", () => {
    let s = startedGame({ ...QUIET, ruleset: "dtao-flow" }, 6, [["ana", "staker"]]);
    s = must(applyAction(s, "ana", { type: "stakeRoot", tao: "500" }));
    s = must(applyAction(s, "ana", { type: "setRootClaim", mode: "keep" }));
    const { state } = resolveRound(s);
    expect(state.players.ana.rootStake).toBe("500");
    expect(Object.keys(state.players.ana.alpha).length).toBeGreaterThan(0);
    expect(auditTao(state).problems).toEqual([]);
  });

  it("is deterministic: same state in, same state and report out", () => {
    const s = startedGame({}, 21, [["ana", "staker"]]);
    const a = resolveRound(s);
    const b = resolveRound(s);
    expect(stateHash(a.state)).toBe(stateHash(b.state));
    expect(JSON.stringify(a.report)).toBe(JSON.stringify(b.report));
  });

  it("ends the game after the configured rounds", () => {
    let s = startedGame({ ...QUIET, rounds: 2 }, 1, []);
    s = resolveRound(s).state;
    expect(s.phase).toBe("acting");
    s = resolveRound(s).state;
    expect(s.phase).toBe("ended");
    expect(() => resolveRound(s)).toThrow();
  });
});
