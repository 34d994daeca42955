/**
 * Game configuration: rule switches, chain parameters at game scale, and the game layer's knobs.
 * `resolveConfig` fills defaults in one place (like boardgame.io's ProcessGameConfig); the
 * resolved config is stored in the state, so a game is fully described by config + seed + log.
 */
import { z } from "zod";
import {
  CHAIN_TEMPO_BLOCKS, MAX_VALIDATOR_TAKE, MIN_POOL_RESERVE, MIN_STAKE_TAO, OWNER_CUT,
  POOL_FEE, ROOT_VALIDATORS, TAO_WEIGHT, TOTAL_SUPPLY_TAO, YUMA_KAPPA,
} from "./constants.js";

export const EMISSION_RULES = ["rootWeights", "priceEMA", "taoFlow"] as const;
export const EXCESS_RULES = ["none", "subsidyBurn", "capRecycle"] as const;
export const ROOT_PAYOUTS = ["autoSellTAO", "claimAlpha"] as const;
export type EmissionRule = (typeof EMISSION_RULES)[number];
export type ExcessRule = (typeof EXCESS_RULES)[number];
export type RootPayout = (typeof ROOT_PAYOUTS)[number];

export interface RuleSwitches {
  readonly emissionRule: EmissionRule;
  readonly excessRule: ExcessRule;
  readonly rootPayout: RootPayout;
}

/** The three named rule sets are presets over the independent switches (mechanics file, "Selectable rule sets"). */
export const RULESETS = {
  /** RS0, before 2025-02-13: 64 root validators' weights decide emission (§2c). */
  "root-weights": { emissionRule: "rootWeights", excessRule: "none", rootPayout: "autoSellTAO" },
  /** RS1, dTAO launch 2025-02-13: shares follow the price EMA; root's alpha sold for TAO (§2a, §3, §5). */
  "dtao-price": { emissionRule: "priceEMA", excessRule: "none", rootPayout: "autoSellTAO" },
  /** RS3, Taoflow 2025-11-04: shares follow the net TAO flow EMA; root paid in claimable alpha (§2b, §3, §5). */
  "dtao-flow": { emissionRule: "taoFlow", excessRule: "capRecycle", rootPayout: "claimAlpha" },
} as const satisfies Record<string, RuleSwitches>;
export type RulesetName = keyof typeof RULESETS;
export const RULESET_NAMES = Object.keys(RULESETS) as RulesetName[];

/** Per-round EMA rate that halves a gap in `rounds` rounds. */
export function rateForHalfLifeRounds(rounds: number): number {
  return 1 - Math.pow(0.5, 1 / rounds);
}

const amountString = z.string().regex(/^\d{1,9}(\.\d{1,9})?$/);
const fraction = z.number().min(0).max(1);

export const GameConfigSchema = z.object({
  scenario: z.string().max(40).default("dtao-launch"),
  ruleset: z.enum(RULESET_NAMES as [RulesetName, ...RulesetName[]]).default("dtao-price"),
  /** Overrides of the preset's switches; empty means "as the preset says". */
  switches: z.object({
    emissionRule: z.enum(EMISSION_RULES).optional(),
    excessRule: z.enum(EXCESS_RULES).optional(),
    rootPayout: z.enum(ROOT_PAYOUTS).optional(),
  }).default({}),
  rounds: z.number().int().min(1).max(100_000).default(20),

  // --- chain parameters (defaults are the chain's; see constants.ts) ---
  tempoBlocks: z.number().int().min(1).max(100_000).default(CHAIN_TEMPO_BLOCKS),
  supplyCap: amountString.default(TOTAL_SUPPLY_TAO),
  /** TotalIssuance at game start, TAO (≈ the chain at dTAO launch, §9). */
  initialIssuance: amountString.default("8400000"),
  poolFee: amountString.default(POOL_FEE),
  minPoolReserve: amountString.default(MIN_POOL_RESERVE),
  minStake: amountString.default(MIN_STAKE_TAO),
  ownerCut: amountString.default(OWNER_CUT),
  taoWeight: amountString.default(TAO_WEIGHT),
  defaultTake: amountString.default(MAX_VALIDATOR_TAKE),
  kappa: fraction.default(YUMA_KAPPA),
  /** Validator permits per subnet: the top K by stake weight take part in Yuma (§6.2, 64 typical on mainnet). */
  maxValidatorsPerSubnet: z.number().int().min(1).max(1024).default(64),
  /** Keep Yuma bonds with this per-round EMA (the "advanced" option); 0 = Yuma 3 with no bond memory. */
  bondAlpha: fraction.default(0),
  /**
   * Price-EMA rate per round. The chain's 3e-6 per block is 1.08e-3 per 360-block tempo (half-life ≈ 640
   * rounds, 32 days); the game default halves in 4 rounds, i.e. 160× game speed (docs/rules.md).
   */
  priceEmaRate: fraction.default(rateForHalfLifeRounds(4)),
  /** EMAPriceHalvingBlocks in rounds (chain 201,600 blocks = 560 tempos; /160 game speed ≈ 3.5). 0 disables. */
  priceEmaHalvingRounds: z.number().min(0).max(10_000).default(3.5),
  /** Flow-EMA rate per round (chain 1.15e-3 per tempo, half-life 600 rounds; game default half-life 4 rounds). */
  flowEmaRate: fraction.default(rateForHalfLifeRounds(4)),
  flowCutoff: z.string().regex(/^-?\d{1,9}(\.\d{1,9})?$/).default("0"),

  // --- registration (§7, scaled) ---
  minLockCost: amountString.default("100"),
  lockReductionRounds: z.number().int().min(1).max(10_000).default(10),
  immunityRounds: z.number().int().min(0).max(1000).default(3),
  subnetLimit: z.number().int().min(1).max(1024).default(16),

  // --- the starting market ---
  initialSubnets: z.number().int().min(1).max(1024).default(8),
  minersPerSubnet: z.number().int().min(1).max(64).default(8),
  /** Root validators in all: player validators plus NPC validators filling up to this count (§2c: 64). */
  rootValidators: z.number().int().min(1).max(256).default(ROOT_VALIDATORS),
  /** TAO staked on root across NPC validators at start, spread with the real concentration (top 5 ≈ 65%). */
  npcRootStake: amountString.default("200000"),
  /** TAO in each initial pool, low and high (spread deterministically across subnets). */
  poolTaoLow: amountString.default("2000"),
  poolTaoHigh: amountString.default("8000"),
  /** Initial prices, TAO per alpha, low and high. */
  priceLow: z.number().positive().max(1000).default(0.05),
  priceHigh: z.number().positive().max(1000).default(0.5),
  startingTao: amountString.default("1000"),
  maxPlayers: z.number().int().min(1).max(5000).default(60),

  // --- the game layer (not on chain) ---
  researchDelayRounds: z.number().int().min(0).max(50).default(3),
  /** Capability gained per unit of research effort, and how it compounds on existing capability. */
  researchYield: z.number().min(0).max(10).default(0.12),
  researchCompounding: z.number().min(0).max(1).default(0.08),
  productYield: z.number().min(0).max(10).default(0.25),
  productDecay: fraction.default(0.3),
  /** How strongly miner emission (in TAO value) attracts miners, and how fast they leave. */
  minerAttraction: z.number().min(0).max(10).default(0.02),
  minerChurn: fraction.default(0.2),
  /** Fraction of their alpha the NPC miners sell each round (their costs). */
  minerSellFraction: fraction.default(0.3),
  /** Log-normal sigma of validators' quality signals at zero effort. */
  signalNoise: z.number().min(0).max(5).default(0.5),
  /** Probability per round of a seeded market event. */
  eventRate: fraction.default(0.25),
  /** NPC traders by kind; intensity scales their order sizes. */
  npcNoiseTraders: z.number().int().min(0).max(1000).default(4),
  npcMomentumTraders: z.number().int().min(0).max(1000).default(2),
  npcFundamentalTraders: z.number().int().min(0).max(1000).default(2),
  npcWhales: z.number().int().min(0).max(100).default(1),
  traderIntensity: z.number().min(0).max(10).default(1),
  traderTao: amountString.default("2000"),
  /** Under root-weights, how far the top validators favour their affiliated subnets over their signals. */
  cartelBias: fraction.default(0.6),
});

export type GameConfigInput = z.input<typeof GameConfigSchema>;
export type GameConfig = z.output<typeof GameConfigSchema>;

export function switchesOf(config: Pick<GameConfig, "ruleset" | "switches">): RuleSwitches {
  return { ...RULESETS[config.ruleset], ...stripUndefined(config.switches) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
