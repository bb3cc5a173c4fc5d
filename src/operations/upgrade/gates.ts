/**
 * The cluster gates of the upgrade precheck: pure functions from the inventory to
 * findings, each with a remedy. Node readiness, control-plane pods, the etcd check, a
 * recent verified snapshot, blocking PodDisruptionBudgets and certificate expiry;
 * deprecated APIs are in deprecated-api-gate.ts, etcd's version in etcd-gate.ts.
 */
import { formatDuration } from '../../domain/units.js';
import type { Finding } from '../../domain/report.js';
import { drillAgeFindings } from '../etcd/drill-age.js';
import type { CertExpiry, UpgradeInventory } from './inventory.js';
import type { SemVer } from './kube-version.js';
import { lines, plural } from './text.js';

export interface GateContext {
  cluster: string;
  /** The final target. */
  target: SemVer;
  now: Date;
  /** ms: the newest verified snapshot must be younger. */
  maxSnapshotAge: number;
  /** ms: a certificate expiring within it is critical (the upgrade may take that long). */
  upgradeWindow: number;
  /** ms: a certificate expiring within it is a warning. */
  certWarn: number;
}

export function nodeFindings(inv: UpgradeInventory): Finding[] {
  const notReady = inv.nodes.filter((n) => !n.ready);
  const cordoned = inv.nodes.filter((n) => n.unschedulable);
  const out: Finding[] = [
    notReady.length
      ? {
          id: 'upgrade.gate.nodes-ready',
          severity: 'crit',
          title: `${plural(notReady.length, 'node')} not Ready`,
          detail: lines(notReady.map((n) => `${n.name} (${n.role})`)),
          remedy:
            'Bring every node back to Ready (or remove it from the cluster) before upgrading: `kubectl describe node NAME`, then the kubelet log on it: `journalctl -u kubelet`.',
        }
      : {
          id: 'upgrade.gate.nodes-ready',
          severity: 'ok',
          title: `All ${plural(inv.nodes.length, 'node')} Ready`,
        },
  ];
  if (cordoned.length) {
    out.push({
      id: 'upgrade.gate.cordoned',
      severity: 'info',
      title: `${plural(cordoned.length, 'node')} already cordoned: the plan leaves them cordoned`,
      detail: lines(cordoned.map((n) => n.name)),
    });
  }
  return out;
}

const REQUIRED = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

export function controlPlanePodFindings(inv: UpgradeInventory): Finding[] {
  const id = 'upgrade.gate.control-plane-pods';
  const bad = inv.controlPlanePods.filter((p) => p.phase !== 'Running' || !p.ready);
  const missing = inv.nodes
    .filter((n) => n.role === 'control-plane')
    .flatMap((n) =>
      REQUIRED.filter(
        (c) => !inv.controlPlanePods.some((p) => p.node === n.name && p.component === c),
      ).map((c) => `${n.name}: no ${c} pod`),
    );
  const out: Finding[] = [];
  if (bad.length) {
    out.push({
      id,
      severity: 'crit',
      title: `${plural(bad.length, 'control-plane pod')} not running and ready`,
      detail: lines(
        bad.map(
          (p) => `${p.namespace}/${p.name} on ${p.node}: ${p.phase}${p.ready ? '' : ', not ready'}`,
        ),
      ),
      remedy:
        'Fix the control plane before changing it: `kubectl -n kube-system describe pod NAME` and `kubectl -n kube-system logs NAME`; on the node, `crictl ps -a` and `journalctl -u kubelet`.',
    });
  }
  if (missing.length) {
    out.push({
      id: `${id}.missing`,
      severity: 'warn',
      title: `Control-plane pods not found for ${plural(missing.length, 'component')}`,
      detail: lines(missing),
      remedy:
        'kubeadm runs them as static pods in /etc/kubernetes/manifests; if this control plane is not kubeadm-managed, the plan does not apply as written.',
    });
  }
  if (!bad.length && !missing.length) {
    out.push({
      id,
      severity: inv.controlPlanePods.length ? 'ok' : 'warn',
      title: inv.controlPlanePods.length
        ? `All ${plural(inv.controlPlanePods.length, 'control-plane pod')} running`
        : 'No control-plane pods found',
    });
  }
  return out;
}

export function etcdCheckFindings(inv: UpgradeInventory, ctx: GateContext): Finding[] {
  const id = 'upgrade.gate.etcd-check';
  const run = `quorum etcd check --cluster ${ctx.cluster}`;
  switch (inv.etcdCheckWorst) {
    case undefined:
      return [
        {
          id,
          severity: 'warn',
          title: 'The etcd check was not run',
          remedy: `Run \`${run}\` before upgrading.`,
        },
      ];
    case 'crit':
      return [
        {
          id,
          severity: 'crit',
          title: 'The etcd check has critical findings',
          remedy: `Fix etcd first: \`${run}\` lists the findings and what to do.`,
        },
      ];
    case 'warn':
      return [
        {
          id,
          severity: 'warn',
          title: 'The etcd check has warnings',
          remedy: `Read them first: \`${run}\`.`,
        },
      ];
    default:
      return [{ id, severity: 'ok', title: 'The etcd check passed' }];
  }
}

export function snapshotFindings(inv: UpgradeInventory, ctx: GateContext): Finding[] {
  // Beside the newest snapshot: the newest one a drill restored (when drills were read).
  const drills = inv.drills
    ? drillAgeFindings({
        id: 'upgrade.gate.snapshot-drill',
        cluster: ctx.cluster,
        now: ctx.now,
        newest: inv.newestVerifiedSnapshot,
        drills: inv.drills,
      })
    : [];
  return [...newestSnapshotFindings(inv, ctx), ...drills];
}

function newestSnapshotFindings(inv: UpgradeInventory, ctx: GateContext): Finding[] {
  const id = 'upgrade.gate.snapshot';
  const remedy = `Take one now: \`/etcd-snapshot ${ctx.cluster}\` in Slack, or \`quorum etcd snapshot --cluster ${ctx.cluster}\`.`;
  const snap = inv.newestVerifiedSnapshot;
  if (!snap)
    return [
      { id, severity: 'crit', title: 'No verified etcd snapshot: nothing to go back to', remedy },
    ];
  const age = ctx.now.getTime() - Date.parse(snap.createdAt);
  if (!Number.isFinite(age) || age > ctx.maxSnapshotAge) {
    return [
      {
        id,
        severity: 'crit',
        title: `The newest verified snapshot is ${Number.isFinite(age) ? formatDuration(age) : 'of unknown'} old (at most ${formatDuration(ctx.maxSnapshotAge)})`,
        detail: `${snap.id}, taken ${snap.createdAt}`,
        remedy,
      },
    ];
  }
  return [
    {
      id,
      severity: 'ok',
      title: `Verified snapshot ${snap.id}, ${formatDuration(Math.max(0, age))} old`,
    },
  ];
}

export function pdbFindings(inv: UpgradeInventory): Finding[] {
  const blocking = inv.pdbs.filter((p) => p.disruptionsAllowed <= 0 && p.expectedPods > 0);
  if (!blocking.length)
    return [
      { id: 'upgrade.gate.pdb', severity: 'ok', title: 'No PodDisruptionBudget blocks draining' },
    ];
  return [
    {
      id: 'upgrade.gate.pdb',
      severity: 'crit',
      title:
        blocking.length === 1
          ? "1 PodDisruptionBudget allows no disruption: draining its pods' nodes would hang"
          : `${blocking.length} PodDisruptionBudgets allow no disruption: draining their pods' nodes would hang`,
      detail: lines(
        blocking.map((p) => `${p.namespace}/${p.name} (${plural(p.expectedPods, 'pod')})`),
      ),
      remedy:
        'Before draining, scale those workloads up so one pod may go (`kubectl -n NS scale deploy NAME --replicas=2`), or relax the budget for the upgrade (`kubectl -n NS edit pdb NAME`) and restore it afterwards.',
    },
  ];
}

function certFinding(id: string, cert: CertExpiry, ctx: GateContext, remedy: string): Finding {
  const left = Date.parse(cert.notAfter) - ctx.now.getTime();
  if (!Number.isFinite(left))
    return {
      id,
      severity: 'warn',
      title: `${cert.name}: expiry unreadable ("${cert.notAfter}")`,
      remedy,
    };
  if (left <= 0)
    return {
      id,
      severity: 'crit',
      title: `${cert.name} expired ${formatDuration(-left)} ago`,
      detail: `notAfter ${cert.notAfter}`,
      remedy,
    };
  const severity = left <= ctx.upgradeWindow ? 'crit' : left <= ctx.certWarn ? 'warn' : 'ok';
  return {
    id,
    severity,
    title: `${cert.name} expires in ${formatDuration(left)}`,
    detail: `notAfter ${cert.notAfter}`,
    ...(severity === 'ok' ? {} : { remedy }),
  };
}

export function certFindings(inv: UpgradeInventory, ctx: GateContext): Finding[] {
  const kubeadmRenew =
    'On each control-plane node: `sudo kubeadm certs check-expiration`, then `sudo kubeadm certs renew all` and restart the static pods (move each manifest out of /etc/kubernetes/manifests and back).';
  const out: Finding[] = [];
  if (inv.apiserverCert)
    out.push(certFinding('upgrade.gate.cert.apiserver', inv.apiserverCert, ctx, kubeadmRenew));
  else
    out.push({
      id: 'upgrade.gate.cert.apiserver',
      severity: 'warn',
      title: 'The API server certificate expiry is unknown',
      remedy: kubeadmRenew,
    });
  for (const cert of inv.etcdCerts) {
    out.push(
      certFinding(
        'upgrade.gate.cert.etcd',
        cert,
        ctx,
        `${kubeadmRenew} Then point Quorum's ETCDCTL_CERT/ETCDCTL_KEY at the renewed files.`,
      ),
    );
  }
  return out;
}

export function gapFindings(inv: UpgradeInventory): Finding[] {
  return (inv.gaps ?? []).map((g) => ({
    id: 'upgrade.inventory.gap',
    severity: 'warn' as const,
    title: `Could not read ${g.what}: the gates that need it are unchecked`,
    detail: g.error,
    remedy: 'Check it by hand, or give Quorum read access to it and run the check again.',
  }));
}
