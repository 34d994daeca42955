/**
 * Session exports for the host. JSON: config, seed and the engine log, which `replay` reproduces
 * exactly. CSV: tidy long tables (one value per row) — per round and subnet, per round and player,
 * per round ecosystem metrics, and every action with its time.
 */
import { applyAction, createGame, netWorth, resolveRound, type GameState } from "../shared/index.js";
import { engineLog } from "./room/restore.js";
import type { LoadedSession } from "./store.js";

export function exportJson(loaded: LoadedSession) {
  return {
    format: "dtao-arena/session@1",
    code: loaded.meta.code,
    createdAt: new Date(loaded.meta.createdAt).toISOString(),
    config: loaded.meta.config,
    seed: loaded.meta.seed,
    log: engineLog(loaded.entries),
  };
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function exportCsv(loaded: LoadedSession): string {
  const rows: unknown[][] = [["table", "round", "time", "subnet", "player", "metric", "value"]];
  const add = (table: string, round: number, time: string, subnet: string, player: string, metric: string, value: unknown) =>
    rows.push([table, round, time, subnet, player, metric, value]);
  let state: GameState = createGame(loaded.meta.config, loaded.meta.seed);
  const names = (id: string) => state.players[id]?.name ?? id;
  for (const e of engineLog(loaded.entries)) {
    const time = new Date(e.t).toISOString();
    if (e.kind === "action") {
      const r = applyAction(state, e.playerId, e.action);
      const a = e.action as Record<string, unknown>;
      add("action", state.round + 1, time, a.subnet !== undefined ? String(a.subnet) : "", e.playerId, String(a.type), JSON.stringify(a));
      if (r.ok) state = r.state;
      continue;
    }
    const { state: next, report } = resolveRound(state);
    state = next;
    for (const s of report.subnets) {
      for (const k of ["share", "emission", "taoIn", "alphaIn", "alphaOut", "ownerAlpha", "minerAlpha", "validatorAlpha", "rootAlpha", "rootTao", "price", "priceEma", "flowEma", "netFlow", "taoReserve", "alphaReserve", "trueQuality", "product", "research"] as const) {
        add("subnet_round", report.round, time, s.netuid, "", k, s[k]);
      }
    }
    for (const id of state.playerOrder) {
      const p = state.players[id];
      if (p.npc !== null) continue;
      const w = netWorth(state, id);
      add("player_round", report.round, time, "", id, "name", names(id));
      add("player_round", report.round, time, "", id, "role", p.role);
      add("player_round", report.round, time, "", id, "tao", p.tao);
      add("player_round", report.round, time, "", id, "rootStake", p.rootStake);
      for (const [n, a] of Object.entries(p.alpha)) add("player_round", report.round, time, n, id, "alpha", a);
      add("player_round", report.round, time, "", id, "netWorthSpot", w.spot);
      add("player_round", report.round, time, "", id, "netWorthLiquidation", w.liquidation);
    }
    const m = report.metrics;
    for (const k of ["nakamoto", "hhi", "stakeGini", "qualityCorrelation", "qualityRankCorrelation", "speculativePremium", "researchShare"] as const) {
      add("metrics_round", report.round, time, "", "", k, m[k]);
    }
    add("metrics_round", report.round, time, "", "", "ruleset", report.ruleset);
    add("metrics_round", report.round, time, "", "", "emitted", report.emitted);
  }
  return rows.map((r) => r.map(csvCell).join(",")).join("\n") + "\n";
}
