/**
 * Named scenarios: a rule set plus parameters, so a lecturer picks one word.
 * `resolveConfig` lays the scenario under the caller's own options and fills the rest.
 */
import { GameConfigSchema, type GameConfig, type GameConfigInput } from "./config.js";
import { engineError, type Result } from "./errors.js";

export const SCENARIOS = {
  /** Before dTAO: the root oligarchy decides; a colluding top tier favours its own subnets. */
  oligarchy: { ruleset: "root-weights", cartelBias: 0.7 },
  /** The February 2025 launch: price-EMA emission, a calm market. */
  "dtao-launch": { ruleset: "dtao-price" },
  /** Hype-driven: many momentum traders, frequent events, emission follows price. */
  "speculative-mania": {
    ruleset: "dtao-price", npcMomentumTraders: 8, npcNoiseTraders: 8, traderIntensity: 2.5, eventRate: 0.5,
  },
  /** Research pays off late: long delay, strong compounding, patient fundamental traders. */
  "research-long-game": {
    ruleset: "dtao-price", rounds: 30, researchDelayRounds: 5, researchCompounding: 0.15, npcFundamentalTraders: 6,
    npcMomentumTraders: 1,
  },
  /** Taoflow (Nov 2025): emission follows net TAO flow; outflows starve a subnet. */
  taoflow: { ruleset: "dtao-flow" },
} as const satisfies Record<string, GameConfigInput>;
export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

/** Validate and fill a game config. Unknown scenario or bad fields give a typed error, never a throw. */
export function resolveConfig(input: GameConfigInput = {}): Result<GameConfig> {
  const scenarioName = input.scenario ?? "dtao-launch";
  if (!(scenarioName in SCENARIOS)) {
    return { ok: false, error: engineError("action/malformed", `unknown scenario "${String(scenarioName).slice(0, 40)}"; try one of ${SCENARIO_NAMES.join(", ")}`) };
  }
  const base = SCENARIOS[scenarioName as ScenarioName];
  const parsed = GameConfigSchema.safeParse({ ...base, ...input, scenario: scenarioName });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: engineError("action/malformed", `config ${issue?.path.join(".") || "?"}: ${issue?.message ?? "invalid"}`) };
  }
  return { ok: true, value: parsed.data };
}
