/**
 * The game layer's model of what a subnet is really worth (not on chain). A builder splits effort
 * between research (slow: lands after a delay, compounds on existing capability, hidden) and
 * product (fast: visible traction that decays). Miner emission draws miners, who speed both:
 * the feedback loop of the seed article.
 */
import type { GameConfig } from "./config.js";
import type { Effort, Subnet } from "./state.js";

/** Hidden true quality: durable capability plus half the current traction. */
export function trueQuality(s: Pick<Subnet, "capability" | "product">): number {
  return s.capability + 0.5 * s.product;
}

/** Research capability slowly goes stale (competitors catch up), so research must continue. */
export const CAPABILITY_DEPRECIATION = 0.02;

export function advanceSubnet(s: Subnet, effort: Effort, minerEmissionTao: number, config: GameConfig): Subnet {
  const capacity = Math.sqrt(Math.max(s.minerStrength, 0.1));
  const research = effort.research * capacity * config.researchYield * (1 + config.researchCompounding * s.capability);
  let capability = s.capability * (1 - CAPABILITY_DEPRECIATION);
  let pipeline = [...s.pipeline];
  if (pipeline.length === 0) capability += research;
  else {
    capability += pipeline.shift() ?? 0;
    pipeline.push(research);
  }
  if (pipeline.length !== config.researchDelayRounds) {
    // The delay changed (host config between games): keep what is under way, re-sized.
    pipeline = pipeline.slice(0, config.researchDelayRounds);
    while (pipeline.length < config.researchDelayRounds) pipeline.push(0);
  }
  const product = s.product * (1 - config.productDecay) + config.productYield * effort.product * capacity;
  const minerStrength = Math.max(1, s.minerStrength * (1 - config.minerChurn) + config.minerAttraction * minerEmissionTao);
  return { ...s, capability, pipeline, product, minerStrength };
}
