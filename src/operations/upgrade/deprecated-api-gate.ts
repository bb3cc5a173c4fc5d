/**
 * Deprecated APIs still requested (the apiserver_requested_deprecated_apis metric): a
 * no-go when one is removed at or before the target, information when removed later.
 */
import type { Finding } from '../../domain/report.js';
import type { GateContext } from './gates.js';
import type { UpgradeInventory } from './inventory.js';
import type { SemVer } from './kube-version.js';
import { lines, plural } from './text.js';

/** `1.25` ≤ target 1.31? */
function removedBy(removed: string, target: SemVer): boolean {
  const m = /^(\d+)\.(\d+)/.exec(removed);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major < target.major || (major === target.major && minor <= target.minor);
}

export function deprecatedApiFindings(inv: UpgradeInventory, ctx: GateContext): Finding[] {
  const id = 'upgrade.gate.deprecated-apis';
  const gv = (u: { group: string; version: string; resource: string; subresource: string }) =>
    `${u.group ? `${u.group}/` : ''}${u.version} ${u.resource}${u.subresource ? `/${u.subresource}` : ''}`;
  const removed = inv.deprecatedApis.filter((u) => removedBy(u.removedRelease, ctx.target));
  const later = inv.deprecatedApis.filter((u) => !removedBy(u.removedRelease, ctx.target));
  const target = `${ctx.target.major}.${ctx.target.minor}`;
  const out: Finding[] = [];
  if (removed.length) {
    out.push({
      id,
      severity: 'crit',
      title: `${plural(removed.length, 'deprecated API')} still in use ${removed.length === 1 ? 'is' : 'are'} removed by ${target}`,
      detail: `Requested since the API server started (apiserver_requested_deprecated_apis):\n${lines(removed.map((u) => `${gv(u)} (removed in ${u.removedRelease})`))}`,
      remedy:
        'Move every client and manifest to the replacement API first (https://kubernetes.io/docs/reference/using-api/deprecation-guide/); `kubectl convert` rewrites manifests. Find the callers in the audit log or with `kubectl get --raw /metrics | grep apiserver_requested_deprecated_apis`.',
    });
  }
  if (later.length) {
    out.push({
      id: `${id}.later`,
      severity: 'info',
      title: `${plural(later.length, 'deprecated API')} still requested, removed after ${target}`,
      detail: lines(
        later.map(
          (u) =>
            `${gv(u)} (${u.removedRelease ? `removed in ${u.removedRelease}` : 'no removal planned'})`,
        ),
      ),
      remedy: 'Migrate them before the release that removes them.',
    });
  }
  if (!removed.length && !later.length)
    out.push({ id, severity: 'ok', title: 'No deprecated API requested' });
  return out;
}
