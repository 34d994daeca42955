/**
 * The seed question, asked of the engine: the same market played for 20 rounds by the same bots
 * under each rule set. Control over emission should be more concentrated under the root-weights
 * oligarchy, and emission should track true quality better under the dTAO price market.
 */
import { describe, expect, it } from "vitest";
import { auditTao, resolveRound, type EcosystemMetrics, type GameConfigInput } from "../shared/index.js";
import { bigGame, botsAct } from "../bench/setup.js";

function play(config: GameConfigInput, seed: number) {
  const game = bigGame(8, 12, { ...config, rounds: 20 }, seed);
  const metrics: EcosystemMetrics[] = [];
  const rulesets = new Set<string>();
  while (game.state.phase === "acting") {
    botsAct(game);
    const r = resolveRound(game.state);
    game.state = r.state;
    metrics.push(r.report.metrics);
    rulesets.add(r.report.ruleset);
    expect(auditTao(game.state).problems).toEqual([]);
  }
  const mean = (k: keyof EcosystemMetrics) => metrics.reduce((a, m) => a + (m[k] as number), 0) / metrics.length;
  return { state: game.state, rulesets, mean };
}

describe("20 rounds with bots under each rule set", () => {
  const oligarchy = play({ scenario: "oligarchy" }, 3);
  const launch = play({ scenario: "dtao-launch" }, 3);
  const flow = play({ scenario: "taoflow" }, 3);

  it("records which rule allocated each round", () => {
    expect([...oligarchy.rulesets]).toEqual(["root-weights"]);
    expect([...launch.rulesets]).toEqual(["dtao-price"]);
    expect([...flow.rulesets]).toEqual(["dtao-flow"]);
  });

  it("concentrates control over emission more under root-weights", () => {
    expect(oligarchy.mean("hhi")).toBeGreaterThan(launch.mean("hhi") * 1.3);
    expect(oligarchy.mean("nakamoto")).toBeLessThan(launch.mean("nakamoto"));
  });

  it("lets a colluding root cartel steer emission away from quality", () => {
    expect(launch.mean("qualityCorrelation")).toBeGreaterThan(oligarchy.mean("qualityCorrelation") + 0.2);
  });

  it("ends every game with all rounds played", () => {
    for (const g of [oligarchy, launch, flow]) expect(g.state.round).toBe(20);
  });
});
