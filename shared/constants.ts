/**
 * Chain constants, with units and where they come from. Section numbers refer to
 * ../shared/dtao-mechanics.md (the project's spec of opentensor/subtensor).
 * Game-scale defaults (which a scenario may override) live in config.ts, not here.
 */

/** Total TAO supply cap, in TAO (§1, `TotalSupply` = 21e15 rao). */
export const TOTAL_SUPPLY_TAO = "21000000";
/** Base block reward before any halving, in TAO per block (§1, `DefaultBlockEmission` = 1e9 rao). */
export const BASE_BLOCK_EMISSION_TAO = "1";
/** Alpha supply cap per subnet, in alpha (§1: the same halving function on each subnet's own issuance). */
export const ALPHA_SUPPLY_CAP = "21000000";
/** Seconds per block (§ header). */
export const BLOCK_SECONDS = 12;
/** Blocks per tempo, i.e. per game round by default (§1, `INITIAL_SUBNET_TEMPO`). */
export const CHAIN_TEMPO_BLOCKS = 360;

/** Subnet owner cut of alpha_out: 11,796/65535 ≈ 17.9995% (§5, `SubnetOwnerCut`). */
export const OWNER_CUT = "0.18";
/** TaoWeight: how much a root TAO counts against an alpha in stake weight (§5, §6; mainnet 0.18). */
export const TAO_WEIGHT = "0.18";
/** Maximum and default validator (delegate) take (§5: 11,796/65535, 18%). */
export const MAX_VALIDATOR_TAKE = "0.18";
/** Yuma kappa: stake share that defines consensus (§6, 32767/65535). */
export const YUMA_KAPPA = 0.5;
/** Root-network (RS0) consensus steepness rho and threshold kappa (§2c). */
export const ROOT_RHO = 10;
export const ROOT_KAPPA = 0.5;
/** Number of root validator UIDs before dTAO (§2c). */
export const ROOT_VALIDATORS = 64;

/** Pool fee on the input of a swap: FeeRate 33/65535 ≈ 0.05% (§4, swap pallet from 2025-07-11). */
export const POOL_FEE = "0.0005";
/** Minimum reserve a swap may leave in a pool, in TAO or alpha (§4, `DefaultMinimumPoolLiquidity` 1e7 rao). */
export const MIN_POOL_RESERVE = "0.01";
/** Minimum stake amount, in TAO (§8, 2,000,000 rao from v3.2.5). */
export const MIN_STAKE_TAO = "0.002";

/** Price EMA rate per block at launch (§2a, `SubnetMovingAlpha` = 3e-6; half-life ≈ 231k blocks). */
export const CHAIN_PRICE_EMA_PER_BLOCK = 3e-6;
/** Flow EMA rate per block (§2b, `FlowEmaSmoothingFactor` ≈ 3.209e-6; half-life 216,000 blocks). */
export const CHAIN_FLOW_EMA_PER_BLOCK = 29_597_889_189_277 / 2 ** 63;
/** The price EMA is fed min(price, 1) (§2a, hotfix v2.0.1). */
export const PRICE_EMA_CAP = "1";

/** Network lock-cost decay interval, in blocks (§7: 100,800 in RS1, 57,600 from v3.2.8). */
export const CHAIN_LOCK_REDUCTION_BLOCKS = 100_800;
/** Subnet limit from v3.2.8 (§7, `SubnetLimit`). */
export const CHAIN_SUBNET_LIMIT = 128;
