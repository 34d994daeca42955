/** Numbers on screen: 4 significant decimals, units (τ, αN), the exact string kept for tooltips. */
export function num(value: string | number, digits = 4): string {
  const x = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(x)) return "–";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1000) return x.toLocaleString("en-US", { maximumFractionDigits: 1 });
  if (abs >= 1) return x.toFixed(Math.max(0, digits - Math.floor(Math.log10(abs)) - 1));
  return x.toPrecision(digits);
}

export function tao(value: string | number): string {
  return `${num(value)} τ`;
}

export function alpha(value: string | number, netuid: string): string {
  return `${num(value)} α${netuid}`;
}

export function pct(fraction: number | string, digits = 1): string {
  const x = typeof fraction === "number" ? fraction : Number(fraction);
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "–";
}

export function countdown(ms: number): string {
  if (ms <= 0) return "0:00";
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export const RULESET_LABEL: Record<string, string> = {
  "root-weights": "Root weights (pre-dTAO)",
  "dtao-price": "dTAO · price EMA",
  "dtao-flow": "dTAO · TAO flow",
};

/** Okabe-Ito, colour-blind safe. */
export const PALETTE = {
  orange: "#E69F00", sky: "#56B4E9", green: "#009E73", yellow: "#F0E442", blue: "#0072B2", vermillion: "#D55E00",
  purple: "#CC79A7", grey: "#999999",
};

export const ROLE_COLOUR: Record<string, string> = {
  staker: PALETTE.sky, builder: PALETTE.orange, validator: PALETTE.green, host: PALETTE.purple, spectator: PALETTE.grey,
};
