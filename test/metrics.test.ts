import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { averageRanks, gini, hhi, nakamoto, pearson, spearman, speculativePremium } from "../shared/metrics.js";

const close = (a: number, b: number, eps = 1e-12) => expect(Math.abs(a - b)).toBeLessThan(eps);

describe("nakamoto", () => {
  it("hand-computed", () => {
    expect(nakamoto([1, 1])).toBe(2); // 50% is not > 50%
    expect(nakamoto([1, 1, 1, 1])).toBe(3);
    expect(nakamoto([60, 20, 20])).toBe(1);
    expect(nakamoto([0.1, 0.2, 0.3, 0.4])).toBe(2); // .4 + .3 = .7
    expect(nakamoto([40, 10, 30, 20])).toBe(2);
    expect(nakamoto([5, 3, 2], 0.33)).toBe(1);
    expect(nakamoto([0.2, 0.2, 0.2, 0.2, 0.2])).toBe(3); // float: .6000000000000001 > .5, .4 not
  });
  it("edge cases", () => {
    expect(nakamoto([])).toBe(0);
    expect(nakamoto([0, 0])).toBe(0);
    expect(nakamoto([-5, 1])).toBe(1);
    expect(nakamoto([1, 1, 0], 1)).toBe(2); // cannot exceed 100%: number of positive holders
  });
});

describe("hhi", () => {
  it("hand-computed", () => {
    close(hhi([1, 1, 1, 1]), 0.25);
    close(hhi([5]), 1);
    close(hhi([3, 1]), 0.625); // .75² + .25²
    close(hhi([0.5, 0.3, 0.2]), 0.38);
  });
  it("edge cases", () => {
    expect(hhi([])).toBe(0);
    expect(hhi([0, 0, 0])).toBe(0);
    close(hhi([-1, 1]), 1);
  });
});

describe("gini (population form, max (n−1)/n)", () => {
  it("hand-computed", () => {
    expect(gini([1, 1, 1, 1])).toBe(0);
    close(gini([0, 0, 0, 1]), 0.75);
    close(gini([1, 0]), 0.5);
    // [1,2,3,4]: ΣΣ|xi−xj| = 2·(1+2+3+1+2+1) = 20; 2·n²·mean = 2·16·2.5 = 80 → 0.25
    close(gini([4, 1, 3, 2]), 0.25);
  });
  it("edge cases", () => {
    expect(gini([])).toBe(0);
    expect(gini([7])).toBe(0);
    expect(gini([0, 0])).toBe(0);
    close(gini([-3, 0, 0, 1]), 0.75); // negatives count as 0
  });
  it("stays in [0, (n−1)/n] and is scale-invariant", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 20 }), fc.integer({ min: 1, max: 50 }), (xs, k) => {
        const g = gini(xs);
        expect(g).toBeGreaterThanOrEqual(0);
        expect(g).toBeLessThanOrEqual(xs.length ? (xs.length - 1) / xs.length + 1e-12 : 0);
        close(gini(xs.map((x) => x * k)), g, 1e-9);
      }),
    );
  });
});

describe("pearson", () => {
  it("hand-computed", () => {
    close(pearson([1, 2, 3], [2, 4, 6]), 1);
    close(pearson([1, 2, 3], [3, 2, 1]), -1);
    // x = [1,2,3,4], y = [1,3,2,4]: dx = [-1.5,-.5,.5,1.5], dy = [-1.5,.5,-.5,1.5]
    // Σdxdy = 2.25 − .25 − .25 + 2.25 = 4; Σdx² = Σdy² = 5 → 0.8
    close(pearson([1, 2, 3, 4], [1, 3, 2, 4]), 0.8);
  });
  it("edge cases", () => {
    expect(pearson([], [])).toBe(0);
    expect(pearson([1], [2])).toBe(0);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(pearson([1, 2, 3], [0, 0, 0])).toBe(0);
    close(pearson([1, 2, 3, 99], [2, 4, 6]), 1); // extra x ignored
    close(pearson([1, NaN, 2, 3], [2, 5, 4, 6]), 1); // non-finite pair dropped
  });
});

describe("spearman", () => {
  it("hand-computed", () => {
    close(averageRanks([10, 20, 20, 5]).reduce((s, x) => s + x, 0), 10);
    expect(averageRanks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    close(spearman([1, 2, 3, 4], [1, 8, 27, 64]), 1); // monotone, non-linear
    close(spearman([1, 2, 3, 4], [10, 3, 2, 1]), -1);
    // ranks x = [1,2,3,4], y = [1,3,2,4] → 0.8 (as in the pearson example)
    close(spearman([10, 20, 30, 40], [5, 50, 7, 60]), 0.8);
    // ties: x ranks [1.5,1.5,3], y = [1,2,3]; dx = [-.5,-.5,1], dy = [-1,0,1]
    // Σdxdy = 1.5; Σdx² = 1.5; Σdy² = 2 → 1.5/√3 = √3/2
    close(spearman([1, 1, 2], [1, 2, 3]), Math.sqrt(3) / 2);
  });
  it("edge cases", () => {
    expect(spearman([], [])).toBe(0);
    expect(spearman([4, 4, 4], [1, 2, 3])).toBe(0);
  });
});

describe("speculativePremium", () => {
  it("hand-computed", () => {
    // caps [60, 40], fundamentals [0.5, 0.5] → fair [50, 50]; above = 10 → 0.1
    close(speculativePremium([60, 40], [0.5, 0.5]), 0.1);
    // fundamentals are normalised first: [1, 1] ≡ [0.5, 0.5]
    close(speculativePremium([60, 40], [1, 1]), 0.1);
    // caps [90, 10, 0], fundamentals [1, 1, 2] → fair [25, 25, 50]; above = 65 → 0.65
    close(speculativePremium([90, 10, 0], [1, 1, 2]), 0.65);
    close(speculativePremium([30, 70], [3, 7]), 0);
  });
  it("edge cases", () => {
    expect(speculativePremium([], [])).toBe(0);
    expect(speculativePremium([0, 0], [1, 1])).toBe(0);
    expect(speculativePremium([5, 5], [0, 0])).toBe(1); // no fundamentals at all
    close(speculativePremium([50, 50], [1]), 0.5); // missing share = 0
  });
});
