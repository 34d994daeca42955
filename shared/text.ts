/** Cleaning names typed by people: trim, drop control characters, collapse spaces, cap the length. */
export function cleanName(raw: string, maxLength: number): string {
  // eslint-disable-next-line no-control-regex
  const s = raw.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, "")
    .replace(/\s+/g, " ").trim();
  return Array.from(s).slice(0, maxLength).join("").trim();
}

/** A name not yet in `taken` (case-insensitive): "Ana", then "Ana (2)", "Ana (3)"... */
export function uniqueName(name: string, taken: Iterable<string>): string {
  const lower = new Set(Array.from(taken, (t) => t.toLowerCase()));
  if (!lower.has(name.toLowerCase())) return name;
  for (let k = 2; ; k++) {
    const candidate = `${name} (${k})`;
    if (!lower.has(candidate.toLowerCase())) return candidate;
  }
}
