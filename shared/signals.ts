/**
 * Validators' private, noisy view of quality (game layer). Noise shrinks with the validator's
 * stake: a big validator can afford better evaluation. Only people's signals are stored in the
 * state (NPCs draw theirs inside the resolution); the server sends each its own.
 */
import { dec, type Dec } from "./decimal.js";
import { Rng } from "./rng.js";
import { trueQuality } from "./quality.js";
import { type GameState, type PlayerId, ROOT_NETUID, type SignalSeed, type ValidatorSignals } from "./state.js";
import { stakeByValidator, subnetList } from "./access.js";

/** Log-normal sigma of a validator's signals given its total stake weight in TAO. */
export function signalSigma(baseNoise: number, stakeTao: number): number {
  return baseNoise / (1 + Math.log10(1 + Math.max(0, stakeTao) / 100));
}

export function drawSignals(state: GameState, rng: Rng, sigma: number, round: number): ValidatorSignals {
  const subnets: Record<string, number> = {};
  const miners: Record<string, number[]> = {};
  for (const s of subnetList(state)) {
    subnets[s.netuid] = trueQuality(s) * rng.lognormal(sigma);
    miners[s.netuid] = s.minerSkill.map((k) => k * rng.lognormal(sigma));
  }
  return { round, subnets, miners };
}

/**
 * Fresh signals for the given people (default: every human validator) for the round being played.
 * `rootStakeOf`, when given, must be what `stakeByValidator(state, ROOT_NETUID)` gives for each
 * target (a caller that already knows it saves the pass over every player).
 */
export function generateSignals(state: GameState, ids?: PlayerId[], rootStakeOf?: (id: PlayerId) => Dec | undefined): GameState {
  const targets = ids ?? state.validators.filter((v) => state.players[v]?.npc === null);
  if (targets.length === 0) return state;
  const rng = new Rng(state.rng);
  const rootByValidator = rootStakeOf ? { get: rootStakeOf } : stakeByValidator(state, ROOT_NETUID);
  const signals: Record<PlayerId, SignalSeed> = { ...state.signals };
  for (const id of targets) {
    const root = rootByValidator.get(id) ?? dec(0);
    const sigma = signalSigma(state.config.signalNoise, root.toNumber());
    signals[id] = { round: state.round + 1, seed: Rng.seedState(rng.int(2 ** 31 - 1)), sigma };
  }
  return { ...state, signals, rng: rng.state() };
}

/** A person validator's signals for the round being played, or null if it has none. */
export function signalsFor(state: GameState, id: PlayerId): ValidatorSignals | null {
  const seed = state.signals[id];
  if (!seed) return null;
  return drawSignals(state, new Rng(seed.seed), seed.sigma, seed.round);
}
