/** The round report: what resolveRound returns beside the new state. Plain JSON. */
import type { RuleSwitches, RulesetName } from "./config.js";
import type { GameEvent, Netuid, PlayerId } from "./state.js";

export interface SubnetRoundReport {
  readonly netuid: Netuid;
  readonly name: string;
  readonly share: string;
  readonly emission: string;
  readonly taoIn: string;
  readonly alphaIn: string;
  readonly alphaOut: string;
  readonly excessTao: string;
  readonly alphaBurned: string;
  readonly ownerAlpha: string;
  readonly minerAlpha: string;
  readonly validatorAlpha: string;
  readonly rootAlpha: string;
  readonly rootTao: string;
  readonly price: string;
  readonly priceEma: string;
  readonly flowEma: string;
  readonly netFlow: string;
  readonly taoReserve: string;
  readonly alphaReserve: string;
  /** Revealed at the end of the game by the client; the server keeps it from players during play. */
  readonly trueQuality: number;
  readonly product: number;
  readonly research: number;
}

export interface EcosystemMetrics {
  /** Entities needed to control more than half of the emission allocation. */
  readonly nakamoto: number;
  /** Herfindahl–Hirschman index of control over emission allocation (0..1). */
  readonly hhi: number;
  /** Gini of stake value across players (NPC miners excluded). */
  readonly stakeGini: number;
  /** Pearson correlation between emission share and true quality across subnets. */
  readonly qualityCorrelation: number;
  /** Spearman rank correlation of the same. */
  readonly qualityRankCorrelation: number;
  /** Fraction of market value above fundamentals (price against quality). */
  readonly speculativePremium: number;
  /** Mean share of builder effort on research. */
  readonly researchShare: number;
  /** Who holds the control (top entries), for charts. */
  readonly topControl: readonly { readonly id: PlayerId; readonly share: number }[];
}

/**
 * One player's round: what the payouts added to their positions, and what their own pool trades
 * cost. Amounts are decimal strings. Earned = `alpha` (valued at the subnets' prices) + `rootTao`:
 * the owner cut (`ownerCut`, emission paid to a subnet's owner) and dividends (the rest of `alpha`:
 * validator take and validator or nominator dividends; `rootTao`: root dividends). Miner incentive
 * goes to the NPC miners, never to a person.
 */
export interface PlayerIncome {
  /** Alpha the payouts added, per subnet (owner cut and dividends together). */
  readonly alpha: Readonly<Record<Netuid, string>>;
  /** TAO the root payouts added to root stake. */
  readonly rootTao: string;
  /** The part of `alpha` that is the owner's cut of the subnet's emission, per subnet the player owns. */
  readonly ownerCut: Readonly<Record<Netuid, string>>;
  /**
   * TAO: pool fees of the player's stakes and unstakes this round. A stake's fee is TAO; an
   * unstake's fee is alpha, valued at that trade's pre-trade spot price. Root stake pays none.
   */
  readonly fees: string;
  /** TAO: what those trades lost against executing at the pre-trade spot price, the fee excluded (≥ 0). */
  readonly slippage: string;
}

export interface RoundReport {
  readonly round: number;
  readonly ruleset: RulesetName;
  readonly switches: RuleSwitches;
  readonly block: number;
  readonly blockEmission: string;
  /** TAO emitted this round (into pools). */
  readonly emitted: string;
  readonly issuance: string;
  readonly subnets: readonly SubnetRoundReport[];
  readonly metrics: EcosystemMetrics;
  readonly income: Readonly<Record<PlayerId, PlayerIncome>>;
  readonly events: readonly GameEvent[];
}
