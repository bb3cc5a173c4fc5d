/**
 * Disk latency judged on a recent window (metrics.window, see latency-window.ts), as the
 * etcd mixin does: WAL fsync and backend commit p99 of the observations between two
 * samples. A window with fewer than `latencyMinObservations` observations of a histogram
 * gives no verdict (info); the lifetime p99 is only ever shown, never judged.
 */
import { formatDuration } from '../../../domain/units.js';
import type { EtcdThresholds as Thresholds } from '../../../domain/thresholds.js';
import type { LatencyWindow, MemberProbe, WindowQuantile } from '../../../domain/etcd.js';
import type { Finding } from '../../../domain/report.js';
import { label, type CheckFacts } from './facts.js';

interface Histogram {
  key: 'walFsync' | 'backendCommit';
  lifetime: 'walFsyncP99Ms' | 'backendCommitP99Ms';
  what: string;
  /** For counts: `3 WAL fsyncs`. */
  one: string;
  id: string;
  warn: number;
  crit: number;
}

const histograms = (t: Thresholds): Histogram[] => [
  {
    key: 'walFsync',
    lifetime: 'walFsyncP99Ms',
    what: 'WAL fsync',
    one: 'WAL fsync',
    id: 'etcd.latency.wal-fsync',
    warn: t.walFsyncP99Warn,
    crit: t.walFsyncP99Crit,
  },
  {
    key: 'backendCommit',
    lifetime: 'backendCommitP99Ms',
    what: 'backend commit',
    one: 'backend commit',
    id: 'etcd.latency.backend-commit',
    warn: t.backendCommitP99Warn,
    crit: t.backendCommitP99Crit,
  },
];

const DISK_REMEDY =
  'etcd needs a dedicated low-latency disk (SSD/NVMe); check for noisy neighbours and I/O throttling on that node.';

const span = (w: LatencyWindow) => formatDuration(Math.max(0, w.to - w.from));
const counted = (n: number, h: Histogram) => `${n} ${h.one}${n === 1 ? '' : 's'}`;
const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(1)} ms`);

/** Where the window starts, the lifetime p99s for comparison, and any note. */
function windowDetail(p: MemberProbe, w: LatencyWindow | undefined, t: Thresholds): string {
  const m = p.metrics;
  const since =
    w?.base === 'previous-check' ? 'since the previous check' : 'between two reads in this check';
  const counts = histograms(t)
    .map((h) => counted(w?.[h.key].observations ?? 0, h))
    .join(', ');
  const lifetime = histograms(t)
    .map((h) => `${h.what} ${ms(m?.[h.lifetime])}`)
    .join(', ');
  return [
    w ? `Window ${since} (${span(w)}): ${counts}.` : 'No latency window was measured.',
    `Since the member started (not judged): p99 ${lifetime}.`,
    w?.note ? `${w.note[0]?.toUpperCase()}${w.note.slice(1)}.` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(' ');
}

function crossed(f: CheckFacts, p: MemberProbe, h: Histogram, w: LatencyWindow, v: number) {
  const crit = v > h.crit;
  return {
    id: h.id,
    severity: crit ? 'crit' : 'warn',
    title: `${label(f, p)}: ${h.what} p99 ${v.toFixed(1)} ms over the last ${span(w)} (${crit ? `crit above ${h.crit}` : `warn above ${h.warn}`} ms)`,
    detail: windowDetail(p, w, f.thresholds),
    remedy: DISK_REMEDY,
  } satisfies Finding;
}

const enough = (q: WindowQuantile | undefined, min: number): q is Required<WindowQuantile> =>
  q !== undefined && q.observations >= min && q.p99Ms !== undefined;

/** One member: a finding per histogram that crossed, and an info when some had too few observations. */
function memberFindings(f: CheckFacts, p: MemberProbe): { findings: Finding[]; judged: boolean } {
  const t = f.thresholds;
  const w = p.metrics?.window;
  const findings: Finding[] = [];
  const few: Histogram[] = [];
  for (const h of histograms(t)) {
    const q = w?.[h.key];
    if (!w || !enough(q, t.latencyMinObservations)) few.push(h);
    else if (q.p99Ms > h.warn) findings.push(crossed(f, p, h, w, q.p99Ms));
  }
  if (few.length) {
    const counts = few.map((h) => counted(w?.[h.key].observations ?? 0, h)).join(', ');
    findings.push({
      id: 'etcd.latency.few-observations',
      severity: 'info',
      title: `${label(f, p)}: disk latency not judged, too few observations over the last ${w ? span(w) : '0ms'} (${counts}; needs ${t.latencyMinObservations} of each)`,
      detail: `${windowDetail(p, w, t)} A scheduled check compares with the previous check of this member, minutes apart.`,
    });
  }
  return { findings, judged: few.length === 0 };
}

export function diskLatencyFindings(f: CheckFacts): Finding[] {
  const withMetrics = f.probes.filter((p) => p.metrics);
  const results = withMetrics.map((p) => memberFindings(f, p));
  const out = results.flatMap((r) => r.findings);
  if (withMetrics.length === 0 || out.length > 0 || !results.every((r) => r.judged)) return out;
  const windows = withMetrics.flatMap((p) => (p.metrics?.window ? [p.metrics.window] : []));
  const lengths = windows.map((w) => Math.max(0, w.to - w.from));
  const [lo, hi] = [Math.min(...lengths), Math.max(...lengths)].map(formatDuration);
  const max = (k: Histogram['key']) => Math.max(0, ...windows.map((w) => w[k].p99Ms ?? 0));
  return [
    {
      id: 'etcd.latency',
      severity: 'ok',
      title: `Disk latency p99 over the last ${lo === hi ? lo : `${lo}–${hi}`}: WAL fsync ${max('walFsync').toFixed(1)} ms, backend commit ${max('backendCommit').toFixed(1)} ms`,
      detail: withMetrics
        .map((p) => `${label(f, p)}: ${windowDetail(p, p.metrics?.window, f.thresholds)}`)
        .join('\n'),
    },
  ];
}
