/** Record-key helpers shared by the Yuma and root-consensus hot loops. */

/**
 * The property key to use for `k`: canonical small integers ("0", "17") as numbers, which
 * name the same property but take V8's fast element path; anything else unchanged.
 */
export function propKey(k: string): string | number {
  const n = k.length;
  if (n === 0 || n > 9 || (n > 1 && k.charCodeAt(0) === 48)) return k;
  for (let i = 0; i < n; i++) {
    const c = k.charCodeAt(i);
    if (c < 48 || c > 57) return k;
  }
  return Number(k);
}

/** Sorted, duplicates removed. Sorts `xs` in place (pass a copy); skips the sort when already sorted. */
export function sortedUniqueInPlace(xs: string[]): string[] {
  let sorted = true;
  for (let i = 1; i < xs.length; i++) {
    if (!(xs[i - 1] < xs[i])) {
      sorted = false;
      break;
    }
  }
  if (sorted) return xs;
  xs.sort();
  let k = 0;
  for (let i = 0; i < xs.length; i++) if (i === 0 || xs[i] !== xs[k - 1]) xs[k++] = xs[i];
  xs.length = k;
  return xs;
}
