/**
 * Bad input is data, not a crash: every malformed, out-of-range, out-of-phase or unauthorised
 * action returns a typed code and leaves the state exactly as it was (same object, same hash).
 */
import { describe, expect, it } from "vitest";
import { applyAction, HOST_ID, stateHash, createGame } from "../shared/index.js";
import { must, QUIET, startedGame } from "./support/game.js";

const base = startedGame(QUIET, 11, [["ana", "staker"], ["bo", "builder"], ["vic", "validator"]]);

const cases: [string, string, unknown, string][] = [
  ["not an object", "ana", "stake", "action/malformed"],
  ["null", "ana", null, "action/malformed"],
  ["array", "ana", [1, 2], "action/malformed"],
  ["unknown type", "ana", { type: "teleport" }, "action/unknown_type"],
  ["missing type", "ana", { tao: "1" }, "action/unknown_type"],
  ["extra field", "ana", { type: "stakeRoot", tao: "1", hack: true }, "action/malformed"],
  ["amount as number", "ana", { type: "stake", subnet: 1, tao: 5 }, "action/malformed"],
  ["unknown subnet", "ana", { type: "stake", subnet: 99, tao: "1" }, "subnet/unknown"],
  ["root via stake", "ana", { type: "stake", subnet: 0, tao: "1" }, "subnet/root_not_allowed"],
  ["fractional netuid", "ana", { type: "stake", subnet: 1.5, tao: "1" }, "action/malformed"],
  ["not a number", "ana", { type: "stake", subnet: 1, tao: "abc" }, "amount/invalid"],
  ["NaN", "ana", { type: "stake", subnet: 1, tao: "NaN" }, "amount/invalid"],
  ["Infinity", "ana", { type: "stake", subnet: 1, tao: "Infinity" }, "amount/invalid"],
  ["exponent", "ana", { type: "stake", subnet: 1, tao: "1e3" }, "amount/invalid"],
  ["spaces", "ana", { type: "stake", subnet: 1, tao: " 1" }, "amount/invalid"],
  ["empty", "ana", { type: "stake", subnet: 1, tao: "" }, "amount/invalid"],
  ["negative", "ana", { type: "stake", subnet: 1, tao: "-1" }, "amount/not_positive"],
  ["zero", "ana", { type: "stake", subnet: 1, tao: "0" }, "amount/not_positive"],
  ["10,000 digits", "ana", { type: "stake", subnet: 1, tao: "9".repeat(10_000) }, "amount/too_large"],
  ["beyond supply", "ana", { type: "stake", subnet: 1, tao: "21000001" }, "amount/too_large"],
  ["below a rao", "ana", { type: "stake", subnet: 1, tao: "0.0000000001" }, "amount/too_precise"],
  ["10 decimals", "ana", { type: "stakeRoot", tao: "1.1234567891" }, "amount/too_precise"],
  ["below minimum", "ana", { type: "stake", subnet: 1, tao: "0.001" }, "amount/below_minimum"],
  ["more than balance", "ana", { type: "stake", subnet: 1, tao: "1000.000000001" }, "balance/insufficient"],
  ["unstake more than held", "ana", { type: "unstake", subnet: 1, alpha: "1" }, "balance/insufficient"],
  ["root unstake more than held", "ana", { type: "unstakeRoot", tao: "1" }, "balance/insufficient"],
  ["unknown validator", "ana", { type: "stakeRoot", tao: "1", validator: "nobody" }, "validator/unknown"],
  ["staker sets weights", "ana", { type: "setWeights", subnet: 1, weights: { "0": 1 } }, "role/forbidden"],
  ["staker sets effort", "ana", { type: "setEffort", research: 1, product: 0 }, "role/forbidden"],
  ["staker registers", "ana", { type: "registerSubnet", name: "Mine" }, "role/forbidden"],
  ["role change after start", "ana", { type: "setRole", role: "builder" }, "phase/forbidden"],
  ["player starts the game", "ana", { type: "start" }, "role/forbidden"],
  ["player switches rule set", "ana", { type: "setRuleset", ruleset: "root-weights" }, "role/forbidden"],
  ["stranger trades", "zed", { type: "stakeRoot", tao: "1" }, "player/unknown"],
  ["NPC impersonation", "npc:whale1", { type: "stakeRoot", tao: "1" }, "player/unknown"],
  ["join twice", "ana", { type: "join", name: "ana", role: "staker" }, "player/exists"],
  ["reserved id", "@host", { type: "join", name: "x", role: "staker" }, "player/unknown"],
  ["bad weights key", "vic", { type: "setWeights", subnet: 1, weights: { "99": 1 } }, "weights/invalid"],
  ["negative weight", "vic", { type: "setWeights", subnet: 1, weights: { "0": -1 } }, "weights/invalid"],
  ["all-zero weights", "vic", { type: "setWeights", subnet: 1, weights: { "0": 0 } }, "weights/invalid"],
  ["weights on missing subnet", "vic", { type: "setWeights", subnet: 42, weights: { "0": 1 } }, "subnet/unknown"],
  ["effort both zero", "bo", { type: "setEffort", research: 0, product: 0 }, "effort/invalid"],
  ["effort negative", "bo", { type: "setEffort", research: -1, product: 2 }, "effort/invalid"],
  ["take too high", "vic", { type: "setTake", take: "0.5" }, "amount/too_large"],
  ["unknown ruleset", HOST_ID, { type: "setRuleset", ruleset: "anarchy" }, "ruleset/unknown"],
  ["unknown shock", HOST_ID, { type: "shock", kind: "meteor" }, "shock/invalid"],
  ["start twice", HOST_ID, { type: "start" }, "phase/forbidden"],
];

describe("applyAction rejects bad input with a typed code and no change", () => {
  const before = stateHash(base);
  it.each(cases)("%s", (_label, actor, action, code) => {
    const r = applyAction(base, actor, action);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message.length).toBeGreaterThan(0);
      expect(r.error.message.length).toBeLessThan(200);
    }
    expect(stateHash(base)).toBe(before);
  });
});

describe("phases", () => {
  it("refuses trades in the lobby and anything after the end", () => {
    let s = createGame(QUIET, 1);
    s = must(applyAction(s, "ana", { type: "join", name: "Ana", role: "staker" }));
    const lobby = applyAction(s, "ana", { type: "stakeRoot", tao: "1" });
    expect(lobby.ok || lobby.error.code).toBe("phase/forbidden");
    s = must(applyAction(s, HOST_ID, { type: "end" }));
    const after = applyAction(s, "ana", { type: "stakeRoot", tao: "1" });
    expect(after.ok || after.error.code).toBe("phase/forbidden");
  });

  it("lets a player change role in the lobby only", () => {
    let s = createGame(QUIET, 1);
    s = must(applyAction(s, "ana", { type: "join", name: "Ana", role: "staker" }));
    s = must(applyAction(s, "ana", { type: "setRole", role: "validator" }));
    expect(s.players.ana.role).toBe("validator");
    expect(s.validators).toContain("ana");
    expect(s.signals.ana).toBeDefined();
  });
});

describe("names", () => {
  it("trims, strips control characters, limits length and makes names unique", () => {
    let s = createGame(QUIET, 1);
    s = must(applyAction(s, "a", { type: "join", name: "  Ana\u0000\u200b  ", role: "staker" }));
    s = must(applyAction(s, "b", { type: "join", name: "ana", role: "staker" }));
    s = must(applyAction(s, "c", { type: "join", name: "x".repeat(100), role: "staker" }));
    expect(s.players.a.name).toBe("Ana");
    expect(s.players.b.name).toBe("ana (2)");
    expect(s.players.c.name).toHaveLength(24);
    const r = applyAction(s, "d", { type: "join", name: "\u0001\u0002 ", role: "staker" });
    expect(r.ok).toBe(false);
  });

  it("caps the number of players", () => {
    let s = createGame({ ...QUIET, maxPlayers: 2 }, 1);
    s = must(applyAction(s, "a", { type: "join", name: "A", role: "staker" }));
    s = must(applyAction(s, "b", { type: "join", name: "B", role: "staker" }));
    const r = applyAction(s, "c", { type: "join", name: "C", role: "staker" });
    expect(r.ok || r.error.code).toBe("player/full");
  });
});
