/**
 * Summarise a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, and the
 * most inclusive time (self plus callees, recursion counted once), as shares of the sampled time.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileRow { fn: string; where: string; ms: number; share: number }
export interface ProfileSummary { sampledMs: number; idleShare: number; self: ProfileRow[]; inclusive: ProfileRow[] }

const META = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

function where(url: string, line: number): string {
  if (!url) return "";
  let path = url.replace(/^file:\/\//, "");
  if (path.startsWith("/")) path = relative(process.cwd(), path);
  path = path.replace(/^.*node_modules\//, "node_modules/");
  return `${path}:${line + 1}`;
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
  }
  const key = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"}\t${where(n.callFrame.url, n.callFrame.lineNumber)}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  // Depth-first from the root, carrying the keys on the stack so recursion is counted once.
  const root = p.nodes[0];
  const walk = (n: ProfileNode, stack: Set<string>): number => {
    const k = key(n);
    const own = selfUs.get(n.id) ?? 0;
    if (n.callFrame.functionName === "(idle)") idle += own;
    self.set(k, (self.get(k) ?? 0) + own);
    const fresh = !stack.has(k);
    if (fresh) stack.add(k);
    let sum = own;
    for (const c of n.children ?? []) { const child = byId.get(c); if (child) sum += walk(child, stack); }
    if (fresh) { stack.delete(k); inclusive.set(k, (inclusive.get(k) ?? 0) + sum); }
    return sum;
  };
  walk(root, new Set());
  const rows = (m: Map<string, number>) => [...m.entries()]
    .filter(([k]) => !META.has(k.split("\t")[0]) || k.startsWith("(garbage collector)") || k.startsWith("(program)"))
    .sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([k, us]) => { const [fn, w] = k.split("\t"); return { fn, where: w, ms: Math.round(us / 1000), share: total > 0 ? us / total : 0 }; });
  return { sampledMs: Math.round(total / 1000), idleShare: total > 0 ? idle / total : 0, self: rows(self), inclusive: rows(inclusive) };
}

export function formatProfile(s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [`profile: ${(s.sampledMs / 1000).toFixed(1)} s sampled, idle ${pct(s.idleShare)}`, "top self time:"];
  for (const r of s.self) lines.push(`  ${pct(r.share).padStart(6)}  ${r.fn}  ${r.where}`);
  lines.push("top inclusive time:");
  for (const r of s.inclusive) lines.push(`  ${pct(r.share).padStart(6)}  ${r.fn}  ${r.where}`);
  return lines.join("\n");
}
