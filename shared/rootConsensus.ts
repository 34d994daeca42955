/**
 * The pre-dTAO root network (rule set RS0, dtao-mechanics.md §2c; chain
 * `v1.2.5 coinbase/root.rs::root_epoch`): root validators' stake-weighted votes over
 * subnets become each subnet's share of the block emission.
 *
 * Plain JS numbers (fractions, not money); deterministic (sorted keys, no randomness).
 *
 * Game choice: weight on netuid "0" (root itself) counts when a row is normalised, as on
 * chain, but "0" never receives a share. On chain that emission was simply not minted; here
 * the returned `shares` over `subnets` are renormalised to sum to 1 and the fraction that
 * netuid 0 would have taken is reported as `recycledFraction`.
 */
import { ROOT_KAPPA, ROOT_RHO } from "./constants.js";
import { propKey, sortedUniqueInPlace } from "./keys.js";
import { ROOT_NETUID } from "./state.js";

export interface RootEmissionResult {
  /** share_j ∝ cons_j·rank_j over `subnets`; sums to 1, or all 0 when no subnet scores. */
  shares: Record<string, number>;
  /** rank_j = Σ_i s_i·W_ij (per subnet in `subnets`). */
  rank: Record<string, number>;
  /** trust_j = Σ_i s_i·[W_ij > 0]. */
  trust: Record<string, number>;
  /** cons_j = 1/(1 + exp(−ρ(trust_j − κ))). */
  consensus: Record<string, number>;
  /** control_i = Σ_j share_j·s_i·W_ij/rank_j; sums to 1 (or all 0), every key of `stake`. */
  control: Record<string, number>;
  /**
   * Fraction of the (unrenormalised) allocation that weight on netuid 0 would have taken:
   * score_0 / Σ_{j ∈ subnets ∪ {0}} score_j, score = cons·rank. 0..1.
   */
  recycledFraction: number;
}

function clean(x: number | undefined): number {
  return typeof x === "number" && Number.isFinite(x) && x > 0 ? x : 0;
}



const NO_WEIGHTS: Record<string, number> = {};

/*
 * Implementation notes (performance; called once per round with up to 64 validators × 128
 * subnets). The Record inputs are read once into a flat Float64Array (validators sorted by
 * id, columns = sorted netuids then "0"), and every sum is taken in the same order as the
 * straightforward definition in the doc comments, so the numbers do not depend on the layout.
 * Rows that are all zero, and validators without stake, contribute exact zeros to every sum
 * and are skipped.
 */
export function rootEmissionShares(
  stake: Record<string, number>,
  weights: Record<string, Record<string, number>>,
  subnets: string[],
  rho: number = ROOT_RHO,
  kappa: number = ROOT_KAPPA,
): RootEmissionResult {
  const nets = sortedUniqueInPlace(subnets.filter((n) => n !== ROOT_NETUID));
  const nn = nets.length;
  const nc = nn + 1; // column nn is netuid 0
  const cols: Array<string | number> = nets.map(propKey);
  cols.push(propKey(ROOT_NETUID));
  const validators = sortedUniqueInPlace(Object.keys(stake));
  const nv = validators.length;

  // s: normalised over every validator with positive stake (voting or not, as on chain).
  const s = new Float64Array(nv);
  let stakeSum = 0;
  for (let i = 0; i < nv; i++) {
    const x = clean(stake[validators[i]]);
    s[i] = x;
    stakeSum += x;
  }
  for (let i = 0; i < nv; i++) s[i] = stakeSum > 0 ? s[i] / stakeSum : 0;

  // Rows normalised over subnets ∪ {0}; weight on unknown netuids is ignored. Only rows that
  // matter (some weight and some stake) are kept: `row[r]` is their validator index.
  const w = new Float64Array(nv * nc);
  const rowOf = new Int32Array(nv);
  let nr = 0;
  for (let i = 0; i < nv; i++) {
    if (s[i] === 0) continue;
    const raw = weights[validators[i]] ?? NO_WEIGHTS;
    const base = nr * nc;
    let sum = 0;
    for (let j = 0; j < nc; j++) {
      const x = clean(raw[cols[j]]);
      w[base + j] = x;
      sum += x;
    }
    if (sum === 0) continue;
    for (let j = 0; j < nc; j++) w[base + j] /= sum;
    rowOf[nr++] = i;
  }

  // rank_j = Σ_i s_i·W_ij and trust_j = Σ_i s_i·[W_ij > 0], each column summed in validator order.
  const rankAll = new Float64Array(nc);
  const trustAll = new Float64Array(nc);
  for (let r = 0, k = 0; r < nr; r++) {
    const si = s[rowOf[r]];
    for (let j = 0; j < nc; j++, k++) {
      const x = w[k];
      rankAll[j] += si * x;
      trustAll[j] += si * +(x > 0); // adding s_i or an exact 0, without a branch
    }
  }
  const consAll = new Float64Array(nc);
  const score = new Float64Array(nc);
  for (let j = 0; j < nc; j++) {
    consAll[j] = 1 / (1 + Math.exp(-rho * (trustAll[j] - kappa)));
    score[j] = consAll[j] * rankAll[j];
  }

  let netScore = 0;
  for (let j = 0; j < nn; j++) netScore += score[j];
  const totalScore = netScore + score[nn];
  const recycledFraction = totalScore > 0 ? score[nn] / totalScore : 0;

  const sh = new Float64Array(nn);
  const shares: Record<string, number> = {};
  const rank: Record<string, number> = {};
  const trust: Record<string, number> = {};
  const consensus: Record<string, number> = {};
  for (let j = 0; j < nn; j++) {
    const key = cols[j];
    sh[j] = netScore > 0 ? score[j] / netScore : 0;
    shares[key] = sh[j];
    rank[key] = rankAll[j];
    trust[key] = trustAll[j];
    consensus[key] = consAll[j];
  }

  // control_i = Σ_j share_j·s_i·W_ij/rank_j over subnets with rank_j > 0, in netuid order.
  const ctl = new Float64Array(nv);
  for (let r = 0; r < nr; r++) {
    const i = rowOf[r];
    const si = s[i];
    const base = r * nc;
    let c = 0;
    for (let j = 0; j < nn; j++) if (rankAll[j] > 0) c += (sh[j] * si * w[base + j]) / rankAll[j];
    ctl[i] = c;
  }
  const control: Record<string, number> = {};
  for (let i = 0; i < nv; i++) control[validators[i]] = ctl[i];

  return { shares, rank, trust, consensus, control, recycledFraction };
}
