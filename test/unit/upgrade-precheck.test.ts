import { describe, expect, it } from 'vitest';
import { reportExitStatus, type Finding } from '../../src/domain/report.js';
import type { InventoryNode, UpgradeInventory } from '../../src/operations/upgrade/inventory.js';
import {
  upgradePrecheck,
  type UpgradePrecheckOptions,
} from '../../src/operations/upgrade/precheck.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const CPS = ['cp-1', 'cp-2', 'cp-3'];

const node = (name: string, role: InventoryNode['role'], version: string): InventoryNode => ({
  name,
  role,
  ready: true,
  kubeletVersion: `v${version}`,
  kubeProxyVersion: `v${version}`,
});

/** A healthy three-control-plane, two-worker kubeadm cluster, everything at `version`. */
function cluster(version = '1.30.5', over: Partial<UpgradeInventory> = {}): UpgradeInventory {
  const image = (c: string) => `registry.k8s.io/${c}:v${version}`;
  return {
    cluster: 'prod',
    apiserverVersion: `v${version}`,
    apiservers: CPS.map((n) => ({ node: n, version: image('kube-apiserver') })),
    nodes: [
      ...CPS.map((n) => node(n, 'control-plane', version)),
      node('w-1', 'worker', version),
      node('w-2', 'worker', version),
    ],
    components: CPS.flatMap((n) =>
      (['kube-controller-manager', 'kube-scheduler'] as const).map((component) => ({
        component,
        node: n,
        version: image(component),
      })),
    ),
    coreDnsImage: 'registry.k8s.io/coredns/coredns:v1.11.3',
    etcdMembers: CPS.map((n) => ({ name: n, version: '3.5.24' })),
    kubeadmVersion: 'v1.31.4',
    kubectlVersion: `v${version}`,
    pdbs: [{ namespace: 'web', name: 'frontend', disruptionsAllowed: 1, expectedPods: 3 }],
    controlPlanePods: CPS.flatMap((n) =>
      ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'].map((c) => ({
        namespace: 'kube-system',
        name: `${c}-${n}`,
        node: n,
        component: c,
        phase: 'Running',
        ready: true,
      })),
    ),
    deprecatedApis: [],
    apiserverCert: { name: 'kube-apiserver serving certificate', notAfter: at(200 * DAY) },
    etcdCerts: [
      { name: '/etc/kubernetes/pki/etcd/healthcheck-client.crt', notAfter: at(200 * DAY) },
    ],
    etcdCheckWorst: 'ok',
    newestVerifiedSnapshot: { id: 'prod-20261126T100000Z-r1000', createdAt: at(-2 * HOUR) },
    ...over,
  };
}

function check(inv: UpgradeInventory, to = 'v1.31.4', over: Partial<UpgradePrecheckOptions> = {}) {
  return upgradePrecheck(inv, { to, maxSnapshotAge: DAY, now: NOW, ...over });
}

const byId = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);
const severityOf = (findings: Finding[], id: string) => byId(findings, id).map((f) => f.severity);
const notOk = (findings: Finding[]) =>
  findings.filter((f) => f.severity === 'crit' || f.severity === 'warn').map((f) => f.id);

describe('upgrade precheck: verdict and exit status', () => {
  it('a clean cluster one minor behind is a go, exit 0, with a one-hop plan', () => {
    const r = check(cluster());
    expect(notOk(r.findings)).toEqual([]);
    expect(r).toMatchObject({ kind: 'upgrade.check', cluster: 'prod' });
    expect(r.data).toMatchObject({ verdict: 'go', from: '1.30.5', to: '1.31.4' });
    expect(r.data.hops).toEqual([{ from: '1.30.5', to: '1.31.4', exact: true }]);
    expect(r.data.plans).toHaveLength(1);
    expect(reportExitStatus(r)).toBe(0);
  });

  it('warnings alone are still a go, exit 1', () => {
    const r = check(cluster('1.30.5', { etcdCheckWorst: 'warn' }));
    expect(r.data.verdict).toBe('go');
    expect(reportExitStatus(r)).toBe(1);
  });

  it('any critical finding is a no-go, exit 2', () => {
    const r = check(cluster('1.30.5', { newestVerifiedSnapshot: undefined }));
    expect(r.data.verdict).toBe('no-go');
    expect(reportExitStatus(r)).toBe(2);
  });

  it('cannot run without a readable apiserver version: exit 3', () => {
    const r = check(cluster('1.30.5', { apiserverVersion: 'garbage', apiservers: [] }));
    expect(r.couldNotRun).toContain('garbage');
    expect(reportExitStatus(r)).toBe(3);
  });

  it('a bad target is a USAGE error', () => {
    expect(() => check(cluster(), 'latest')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('upgrade precheck: the target and the skew policy', () => {
  it('a skipped minor becomes two hops and two plans, with a warning', () => {
    const r = check(cluster('1.29.8', { kubeadmVersion: 'v1.30.14' }));
    expect(r.data.hops.map((h) => `${h.from}→${h.to}`)).toEqual(['1.29.8→1.30.x', '1.30.x→1.31.4']);
    expect(r.data.plans.map((p) => p.to)).toEqual(['1.30.x', '1.31.4']);
    expect(severityOf(r.findings, 'upgrade.target')).toEqual(['warn']);
    expect(r.data.verdict).toBe('go');
  });

  it('a pre-release target needs the explicit flag', () => {
    const inv = cluster('1.31.4', { kubeadmVersion: 'v1.32.0-rc.1' });
    const without = check(inv, 'v1.32.0-rc.1');
    expect(severityOf(without.findings, 'upgrade.target.prerelease')).toEqual(['crit']);
    expect(without.data.verdict).toBe('no-go');
    const withFlag = check(inv, 'v1.32.0-rc.1', { allowPrerelease: true });
    expect(severityOf(withFlag.findings, 'upgrade.target.prerelease')).toEqual(['info']);
    expect(withFlag.data.verdict).toBe('go');
  });

  it('a downgrade is a no-go; the same version has nothing to do', () => {
    expect(severityOf(check(cluster('1.31.4'), 'v1.30.0').findings, 'upgrade.target')).toEqual([
      'crit',
    ]);
    const same = check(cluster('1.31.4'), 'v1.31.4');
    expect(same.data.hops).toEqual([]);
    expect(same.data.plans).toEqual([]);
  });

  it('HA kube-apiservers two minors apart are a no-go', () => {
    const inv = cluster('1.30.5');
    inv.apiservers = [
      { node: 'cp-1', version: 'registry.k8s.io/kube-apiserver:v1.29.4' },
      { node: 'cp-2', version: 'registry.k8s.io/kube-apiserver:v1.31.2' },
    ];
    const r = check(inv);
    const f = byId(r.findings, 'upgrade.skew.kube-apiserver');
    expect(f.map((x) => x.severity)).toEqual(['crit']);
    expect(f[0]?.detail).toContain('cp-1: registry.k8s.io/kube-apiserver:v1.29.4');
    expect(r.data.verdict).toBe('no-go');
  });

  it('a kubelet already 3 minors behind must move before the control plane', () => {
    const inv = cluster('1.30.5');
    inv.nodes[3]!.kubeletVersion = 'v1.27.9'; // w-1: within policy today (3 behind 1.30)
    const r = check(inv);
    expect(severityOf(r.findings, 'upgrade.skew.kubelet')).toEqual([]);
    const before = byId(r.findings, 'upgrade.skew.kubelet.before-upgrade');
    expect(before.map((f) => f.severity)).toEqual(['crit']);
    expect(before[0]?.detail).toContain(
      'w-1: v1.27.9 is 4 minors older than kube-apiserver 1.31.4',
    );
    expect(before[0]?.remedy).toContain('1.28 or newer');
  });

  it('a kubelet outside the policy today is critical', () => {
    const inv = cluster('1.30.5');
    inv.nodes[4]!.kubeletVersion = 'v1.26.3';
    const r = check(inv);
    expect(severityOf(r.findings, 'upgrade.skew.kubelet')).toEqual(['crit']);
    expect(byId(r.findings, 'upgrade.skew.kubelet')[0]?.title).toContain('on 1 node');
  });

  it('a kubelet newer than kube-apiserver: a warning when the upgrade fixes it, critical when not', () => {
    const inv = cluster('1.30.5');
    inv.nodes[4]!.kubeletVersion = 'v1.31.0';
    expect(severityOf(check(inv).findings, 'upgrade.skew.kubelet')).toEqual(['warn']);
    expect(severityOf(check(inv, 'v1.30.9').findings, 'upgrade.skew.kubelet')).toEqual(['crit']);
  });

  it('a scheduler one minor behind today is two behind once the apiserver moves', () => {
    const inv = cluster('1.30.5');
    inv.components[1]!.version = 'registry.k8s.io/kube-scheduler:v1.29.6';
    const r = check(inv);
    expect(severityOf(r.findings, 'upgrade.skew.kube-scheduler')).toEqual([]);
    expect(severityOf(r.findings, 'upgrade.skew.kube-scheduler.before-upgrade')).toEqual(['crit']);
    expect(severityOf(r.findings, 'upgrade.skew.kube-controller-manager')).toEqual(['ok']);
  });

  it('kubectl two minors from the target warns; kubeadm too old warns', () => {
    const r = check(cluster('1.30.5', { kubectlVersion: 'v1.29.1', kubeadmVersion: 'v1.30.5' }));
    expect(severityOf(r.findings, 'upgrade.skew.kubectl.before-upgrade')).toEqual(['warn']);
    expect(severityOf(r.findings, 'upgrade.skew.kubeadm')).toEqual(['warn']);
    expect(byId(r.findings, 'upgrade.skew.kubeadm')[0]?.title).toContain('older than the target');
    expect(r.data.verdict).toBe('go');
  });

  it('an unreadable component version is a warning, not a silent pass', () => {
    const inv = cluster('1.30.5');
    inv.nodes[3]!.kubeletVersion = 'dev';
    expect(severityOf(check(inv).findings, 'upgrade.skew.kubelet.unreadable')).toEqual(['warn']);
  });
});

describe('upgrade precheck: cluster gates', () => {
  it('a NotReady node is a no-go naming it', () => {
    const inv = cluster();
    inv.nodes[4]!.ready = false;
    const f = byId(check(inv).findings, 'upgrade.gate.nodes-ready');
    expect(f.map((x) => x.severity)).toEqual(['crit']);
    expect(f[0]?.detail).toBe('w-2 (worker)');
  });

  it('a control-plane pod not running is a no-go', () => {
    const inv = cluster();
    inv.controlPlanePods[0] = { ...inv.controlPlanePods[0]!, phase: 'Pending', ready: false };
    expect(severityOf(check(inv).findings, 'upgrade.gate.control-plane-pods')).toEqual(['crit']);
  });

  it('the etcd check: crit is a no-go, not run is a warning', () => {
    expect(
      severityOf(
        check(cluster('1.30.5', { etcdCheckWorst: 'crit' })).findings,
        'upgrade.gate.etcd-check',
      ),
    ).toEqual(['crit']);
    expect(
      severityOf(
        check(cluster('1.30.5', { etcdCheckWorst: undefined })).findings,
        'upgrade.gate.etcd-check',
      ),
    ).toEqual(['warn']);
  });

  it('a PodDisruptionBudget with no disruption allowed blocks; one covering no pod does not', () => {
    const blocked = cluster('1.30.5', {
      pdbs: [
        { namespace: 'db', name: 'postgres', disruptionsAllowed: 0, expectedPods: 1 },
        { namespace: 'idle', name: 'nothing', disruptionsAllowed: 0, expectedPods: 0 },
      ],
    });
    const f = byId(check(blocked).findings, 'upgrade.gate.pdb');
    expect(f.map((x) => x.severity)).toEqual(['crit']);
    expect(f[0]?.detail).toBe('db/postgres (1 pod)');
    const idle = cluster('1.30.5', { pdbs: [blocked.pdbs[1]!] });
    expect(severityOf(check(idle).findings, 'upgrade.gate.pdb')).toEqual(['ok']);
  });

  it.each([
    [-1 * HOUR, 'crit'], // expired
    [7 * DAY, 'crit'], // exactly at the end of the upgrade window
    [7 * DAY + 1, 'warn'],
    [30 * DAY, 'warn'],
    [30 * DAY + 1, 'ok'],
  ])('a certificate expiring in %d ms → %s', (left, severity) => {
    const inv = cluster('1.30.5', {
      apiserverCert: { name: 'kube-apiserver serving certificate', notAfter: at(left) },
    });
    expect(severityOf(check(inv).findings, 'upgrade.gate.cert.apiserver')).toEqual([severity]);
    const etcd = cluster('1.30.5', { etcdCerts: [{ name: 'client.crt', notAfter: at(left) }] });
    expect(severityOf(check(etcd).findings, 'upgrade.gate.cert.etcd')).toEqual([severity]);
  });

  it.each([
    [undefined, 'crit'],
    [23 * HOUR, 'ok'],
    [DAY + 1, 'crit'],
  ])('a verified snapshot %s ms old → %s, with /etcd-snapshot as the remedy', (age, severity) => {
    const inv = cluster('1.30.5', {
      newestVerifiedSnapshot: age === undefined ? undefined : { id: 'prod-1', createdAt: at(-age) },
    });
    const f = byId(check(inv).findings, 'upgrade.gate.snapshot');
    expect(f.map((x) => x.severity)).toEqual([severity]);
    if (severity === 'crit') expect(f[0]?.remedy).toContain('/etcd-snapshot prod');
  });

  it('deprecated APIs removed at or before the target are a no-go; later removals are information', () => {
    const api = (version: string, resource: string, removedRelease: string) => ({
      group: 'flowcontrol.apiserver.k8s.io',
      version,
      resource,
      subresource: '',
      removedRelease,
    });
    const inv = cluster('1.30.5', {
      deprecatedApis: [
        api('v1beta2', 'flowschemas', '1.29'),
        api('v1beta3', 'prioritylevelconfigurations', '1.31'), // exactly the target
        api('v1beta3', 'flowschemas', '1.32'), // after it
      ],
    });
    const r = check(inv);
    const removed = byId(r.findings, 'upgrade.gate.deprecated-apis');
    expect(removed.map((f) => f.severity)).toEqual(['crit']);
    expect(removed[0]?.detail).toContain('v1beta2 flowschemas (removed in 1.29)');
    expect(removed[0]?.detail).toContain('prioritylevelconfigurations (removed in 1.31)');
    const later = byId(r.findings, 'upgrade.gate.deprecated-apis.later');
    expect(later.map((f) => f.severity)).toEqual(['info']);
    expect(later[0]?.detail).toContain('v1beta3 flowschemas (removed in 1.32)');
  });

  it('what gathering could not read is a warning each', () => {
    const inv = cluster('1.30.5', { gaps: [{ what: 'PodDisruptionBudgets', error: 'forbidden' }] });
    expect(severityOf(check(inv).findings, 'upgrade.inventory.gap')).toEqual(['warn']);
  });
});

describe('upgrade precheck: etcd version', () => {
  const etcdAt = (version: string, k8s = '1.33.7') =>
    cluster(k8s, {
      kubeadmVersion: 'v1.34.2',
      etcdMembers: CPS.map((n) => ({ name: n, version })),
    });

  it('etcd 3.5.20 cannot go to 3.6 with the hop to 1.34: 3.5.26 first', () => {
    const r = check(etcdAt('3.5.20'), 'v1.34.2');
    const f = byId(r.findings, 'upgrade.gate.etcd-minor-step');
    expect(f.map((x) => x.severity)).toEqual(['crit']);
    expect(f[0]?.title).toContain('3.5.26 or later');
    expect(f[0]?.detail).toContain('cp-1 runs 3.5.20');
    expect(r.data.verdict).toBe('no-go');
  });

  it('etcd 3.5.26 may move to 3.6, with a warning that 3.5.32 is now recommended', () => {
    const r = check(etcdAt('3.5.26'), 'v1.34.2');
    expect(severityOf(r.findings, 'upgrade.gate.etcd-minor-step')).toEqual(['warn']);
    expect(r.data.verdict).toBe('go');
    expect(
      severityOf(check(etcdAt('3.5.32'), 'v1.34.2').findings, 'upgrade.gate.etcd-minor-step'),
    ).toEqual([]);
  });

  it('follows etcd across hops: kubeadm 1.33 leaves 3.5.24, below what 3.6 needs', () => {
    const r = check(etcdAt('3.5.16', '1.32.9'), 'v1.34.2');
    expect(r.data.hops).toHaveLength(2);
    const f = byId(r.findings, 'upgrade.gate.etcd-minor-step');
    expect(f.map((x) => x.severity)).toEqual(['crit']);
    expect(f[0]?.detail).toContain('the previous hop leaves etcd at 3.5.24');
  });

  it('a patch move is information; an external etcd is left to its owner', () => {
    const r = check(cluster('1.30.5', { etcdMembers: [{ name: 'cp-1', version: '3.5.16' }] }));
    expect(byId(r.findings, 'upgrade.gate.etcd-version')[0]).toMatchObject({
      severity: 'info',
      title: 'At 1.31.4, kubeadm moves etcd 3.5.16 → 3.5.24',
    });
    const ext = check(etcdAt('3.5.20'), 'v1.34.2');
    expect(ext.data.verdict).toBe('no-go');
    const external = check({ ...etcdAt('3.5.20'), etcdExternal: true }, 'v1.34.2');
    expect(severityOf(external.findings, 'upgrade.gate.etcd-minor-step')).toEqual([]);
  });
});
