/**
 * Entry point for `npm start`. Until the multiplayer server lands (issue: authoritative server),
 * this serves a status page and /healthz on PORT (default 2567) and plays a short demo game with
 * the engine so a newcomer sees it work.
 */
import { createServer } from "node:http";
import { createGame, applyAction, resolveRound, HOST_ID, leaderboard } from "../shared/index.js";

const port = Number(process.env.PORT ?? 2567);

function demo(): string {
  let s = createGame({ scenario: "dtao-launch", rounds: 5 }, 1);
  const joined = applyAction(s, "you", { type: "join", name: "You", role: "staker" });
  if (joined.ok) s = joined.state;
  const started = applyAction(s, HOST_ID, { type: "start" });
  if (started.ok) s = started.state;
  const staked = applyAction(s, "you", { type: "stake", subnet: 1, tao: "100" });
  if (staked.ok) s = staked.state;
  const lines: string[] = [];
  while (s.phase === "acting") {
    const r = resolveRound(s);
    s = r.state;
    const top = [...r.report.subnets].sort((a, b) => Number(b.share) - Number(a.share))[0];
    lines.push(`round ${r.report.round}: ${r.report.emitted} τ emitted, top share ${top?.name} ${(Number(top?.share) * 100).toFixed(1)}%, Nakamoto ${r.report.metrics.nakamoto}`);
  }
  const me = leaderboard(s)[0];
  lines.push(`your 1000 τ (100 staked into SN1) ended at ${Number(me?.liquidation).toFixed(3)} τ liquidation value`);
  return lines.join("\n");
}

const page = `<!doctype html><meta charset="utf-8"><title>dtao-arena</title>
<style>body{background:#111;color:#eee;font:16px/1.5 system-ui;margin:3rem}pre{color:#56B4E9}</style>
<h1>dtao-arena</h1><p>The engine is running. The multiplayer game is under construction.</p><pre>${demo()}</pre>`;

createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true }));
    return;
  }
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(page);
}).listen(port, () => console.log(JSON.stringify({ level: "info", msg: "listening", port })));
