/**
 * Seeded randomness. The generator state lives in the game state (`state.rng`) and is advanced
 * only inside engine steps, so a replay draws exactly the same numbers (boardgame.io keeps
 * `prngstate` the same way). pure-rand supplies the generator and the float distribution.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus, xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";

type Gen = ReturnType<typeof xoroshiro128plus>;

export class Rng {
  private readonly gen: Gen;
  constructor(state: readonly number[]) {
    this.gen = xoroshiro128plusFromState(state);
  }
  /** Generator state for a seed; the first draws of xoroshiro from a small seed are poor, so skip some. */
  static seedState(seed: number): number[] {
    const gen = xoroshiro128plus(seed | 0);
    for (let i = 0; i < 32; i++) gen.next();
    return [...gen.getState()];
  }
  /** Uniform in [0, 1). */
  next(): number {
    return uniformFloat64(this.gen);
  }
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** The pair's second value and whether it is there (a plain number field, so storing it allocates nothing). */
  private spare = 0;
  private hasSpare = false;
  /**
   * Standard normal (Box-Muller; the pair's second value is kept for the next call). The spare is
   * not part of `state()`, so every engine step starts from a fresh pair: a step's draws depend only
   * on the state it started from.
   */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Log-normal multiplier with median 1. */
  lognormal(sigma: number): number {
    return Math.exp(sigma * this.normal());
  }
  state(): number[] {
    return [...this.gen.getState()];
  }
}
