/** Structured logs: one JSON line per event (pino). LOG_LEVEL=silent in tests keeps output clean. */
import { pino } from "pino";

export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? "silent" : "info"),
  base: { svc: "dtao-arena" },
});
