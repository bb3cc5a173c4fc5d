/**
 * What changed since the last security audit, and the one line that says it:
 * `3 fixed since 2026-11-28 · 1 new · 12 still open`. Pure. A finding is open when it is
 * crit or warn; findings match by `id` and `subject` (absent: ''), each counted once, so
 * two findings with the same match make two. A finding open before that the current run
 * could not look at (its part reports `….unchecked` and no finding of its id is there) is
 * neither fixed nor still open: it is unchecked, and kept for the next comparison. Each
 * `….unchecked` covers its own part (`security.images.unchecked` the `security.images.*`
 * ids; the control plane's the components it names; the whole API's every part read through it).
 */
import type { AuditProgress, AuditRun, KeptFinding } from '../../domain/security-progress.js';
import type { Finding } from '../../domain/report.js';

/** The line itself is domain text (renderers show it too). */
export { progressLine } from '../../domain/security-progress.js';

export const isOpen = (f: Pick<Finding, 'severity'>) =>
  f.severity === 'crit' || f.severity === 'warn';

const keyOf = (f: Pick<Finding, 'id' | 'subject'>) => `${f.id}\u0000${f.subject ?? ''}`;

/** What a run keeps of a finding. */
export function kept(f: Finding): KeptFinding {
  return {
    id: f.id,
    severity: f.severity,
    title: f.title,
    ...(f.subject !== undefined ? { subject: f.subject } : {}),
  };
}

function grouped(findings: readonly KeptFinding[]): Map<string, KeptFinding[]> {
  const out = new Map<string, KeptFinding[]>();
  for (const f of findings) {
    const key = keyOf(f);
    const same = out.get(key);
    if (same) same.push(f);
    else out.set(key, [f]);
  }
  return out;
}

const COMPONENTS: Record<string, string> = {
  'kube-apiserver': 'security.apiserver.',
  'kube-controller-manager': 'security.controller-manager.',
  'kube-scheduler': 'security.scheduler.',
};
/** Nothing of the Kubernetes API answered: it stands for every part read through it. */
const THROUGH_THE_API = [
  'security.rbac.',
  'security.psa',
  'security.pods.',
  'security.network.',
  'security.serviceaccount.',
  'security.images.',
  ...Object.values(COMPONENTS),
];

/** The ids an open `….unchecked` finding leaves unlooked-at (as prefixes). */
function coveredBy(u: Finding): string[] {
  if (u.id === 'security.access.unchecked') return THROUGH_THE_API;
  if (u.id === 'security.control-plane.unchecked') {
    // Its subject names the components (or the pod) it could not read; none: all of them.
    const named = Object.keys(COMPONENTS).filter((c) => u.subject?.includes(c));
    return (named.length ? named : Object.keys(COMPONENTS)).map((c) => COMPONENTS[c]!);
  }
  return [u.id.slice(0, -'unchecked'.length)];
}

/** The finding's part of the current run could not check, and nothing of its id was reported. */
function notLookedAt(current: readonly Finding[]): (f: KeptFinding) => boolean {
  const prefixes = current
    .filter((f) => isOpen(f) && f.id.endsWith('.unchecked'))
    .flatMap(coveredBy);
  const seen = new Set(current.map((f) => f.id));
  return (f) => !seen.has(f.id) && prefixes.some((p) => f.id.startsWith(p));
}

export function auditProgress(
  previous: { finishedAt: string; findings: readonly Finding[] } | undefined,
  current: readonly Finding[],
): AuditProgress {
  const now = current.filter(isOpen).map(kept);
  if (!previous) return { fixed: [], opened: [], stillOpen: now.length, unchecked: [] };
  const before = grouped(previous.findings.filter(isOpen).map(kept));
  const after = grouped(now);
  const unseen = notLookedAt(current);
  const progress: AuditProgress = {
    since: previous.finishedAt,
    fixed: [],
    opened: [],
    stillOpen: 0,
    unchecked: [],
  };
  for (const [key, was] of before) {
    const is = after.get(key) ?? [];
    progress.stillOpen += Math.min(was.length, is.length);
    for (const f of was.slice(is.length)) (unseen(f) ? progress.unchecked : progress.fixed).push(f);
  }
  for (const [key, is] of after) progress.opened.push(...is.slice(before.get(key)?.length ?? 0));
  return progress;
}

/**
 * What the next audit compares with: this run's open findings, and the unchecked ones it
 * carries on (still open as far as anyone knows).
 */
export function runToKeep(
  finishedAt: string,
  current: readonly Finding[],
  p: AuditProgress,
): AuditRun {
  return { finishedAt, findings: [...current.filter(isOpen).map(kept), ...p.unchecked] };
}
