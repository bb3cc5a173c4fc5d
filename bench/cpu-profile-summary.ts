/**
 * Self time of a `--cpu-prof` profile, by package and by function, from the first sample
 * inside `from` on (default: Bolt's HTTP request listener, i.e. the start-up is left out), and
 * the inclusive (synchronous) time of the functions named in `STAGES`. For the profiles
 * `BENCH_CPU_PROF=dir npm run bench:slack` writes.
 *
 *   node dist/bench/cpu-profile-summary.js PROFILE.cpuprofile [top=25] [from=unboundRequestListener]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/@slack/bolt/…` → `@slack/bolt`; Quorum's own files by their directory. */
export function packageOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  if (url.startsWith('node:')) return 'node (core)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const [a = '', b = ''] = url.slice(nm + 'node_modules/'.length).split('/');
    return a.startsWith('@') ? `${a}/${b}` : a;
  }
  const dist = /\/dist\/(src\/[^/]+(?:\/[^/]+)?|bench)\//.exec(url);
  return dist ? `quorum ${dist[1]}` : url;
}

/** The ack path's stages, by the function whose stack time stands for each (synchronous part only). */
const STAGES: [string, string][] = [
  ['signature check (HMAC, raw body)', 'parseAndVerifyHTTPRequest'],
  ['Bolt dispatch (processEvent)', 'processEvent'],
  ['ack written', 'ack'],
  ['Quorum listener', 'handleIntent'],
  // One script since issue 18 (the claim and the command's audit entry); two calls before.
  ['idempotency claim (+ audit entry)', 'firstDelivery'],
  ['audit write (separate XADD)', 'appendAudit'],
  ['Web API call (root message)', 'apiCall'],
  ['enqueue', 'enqueueJob'],
  ['ioredis reply parsing', 'execute'],
];

function summarise(path: string, top: number, from: string): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stack = (id: number) => {
    const names: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      names.push(byId.get(at)?.callFrame.functionName ?? '');
    return names;
  };
  const self = new Map<number, number>();
  const inclusive = new Map<string, number>();
  let started = false;
  profile.samples.forEach((id, i) => {
    const names = stack(id);
    started ||= names.includes(from);
    if (!started) return;
    const us = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + us);
    for (const [stage, fn] of STAGES)
      if (names.includes(fn)) inclusive.set(stage, (inclusive.get(stage) ?? 0) + us);
  });
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const pkg = frame.functionName.startsWith('(') ? frame.functionName : packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const file = frame.url.split('/').slice(-2).join('/');
    const fn = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const show = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(
        `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`,
      );
  };
  console.log(`${path}: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle`);
  show('self time by package', byPackage);
  show('self time by function', byFunction);
  show('stages, inclusive synchronous time', inclusive);
}

const [path, top = '25', from = 'unboundRequestListener'] = process.argv.slice(2);
if (path) summarise(path, Number(top), from);
