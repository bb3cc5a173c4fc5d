import { describe, expect, it } from 'vitest';
import type { InventoryNode, UpgradeInventory } from '../../src/operations/upgrade/inventory.js';
import { upgradePrecheck, type UpgradeCheckReport } from '../../src/operations/upgrade/precheck.js';
import type { SlackMessage } from '../../src/render/block-kit/blocks.js';
import {
  upgradeCheckMessage,
  type UpgradeCheckMessageView,
} from '../../src/render/block-kit/upgrade-check.js';
import {
  renderUpgradeCheckText,
  type UpgradeCheckView,
} from '../../src/render/terminal/upgrade-check.js';
import {
  asKnownBlocks,
  expectGolden,
  expectOnlyOwnControlSequences,
  expectWithinSlackLimits,
  texts,
} from './block-kit/golden.js';

// Compile time: the renderers take what the precheck returns.
const _forTerminal = (r: UpgradeCheckReport): UpgradeCheckView => r;
const _forSlack = (r: UpgradeCheckReport): UpgradeCheckMessageView => r;

const NOW = new Date('2026-11-26T12:00:00Z');
const DAY = 86_400_000;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

const node = (name: string, role: InventoryNode['role'], version = 'v1.30.5'): InventoryNode => ({
  name,
  role,
  ready: true,
  kubeletVersion: version,
  kubeProxyVersion: version,
});

function inventory(workers: number, over: Partial<UpgradeInventory> = {}): UpgradeInventory {
  const cps = ['cp-1', 'cp-2', 'cp-3'];
  return {
    cluster: 'prod',
    apiserverVersion: 'v1.30.5',
    apiservers: cps.map((n) => ({ node: n, version: 'registry.k8s.io/kube-apiserver:v1.30.5' })),
    nodes: [
      ...cps.map((n) => node(n, 'control-plane')),
      ...Array.from({ length: workers }, (_, i) =>
        node(`worker-${String(i + 1).padStart(3, '0')}`, 'worker'),
      ),
    ],
    components: cps.map((n) => ({
      component: 'kube-scheduler' as const,
      node: n,
      version: 'registry.k8s.io/kube-scheduler:v1.30.5',
    })),
    etcdMembers: cps.map((n) => ({ name: n, version: '3.5.16' })),
    kubeadmVersion: 'v1.31.4',
    pdbs: [],
    controlPlanePods: cps.flatMap((n) =>
      ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((c) => ({
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
    etcdCerts: [],
    etcdCheckWorst: 'ok',
    newestVerifiedSnapshot: { id: 'prod-20261126T100000Z-r1000', createdAt: at(-DAY / 12) },
    ...over,
  };
}

const check = (inv: UpgradeInventory, to = 'v1.31.4') =>
  upgradePrecheck(inv, {
    to,
    maxSnapshotAge: DAY,
    now: NOW,
    startedAt: new Date(NOW.getTime() - 1_500),
  });

/** Blocked: a NotReady worker, a PDB that allows nothing, an API removed in 1.29 still used. */
function noGo(): UpgradeCheckReport {
  const inv = inventory(2, {
    pdbs: [{ namespace: 'db', name: 'postgres', disruptionsAllowed: 0, expectedPods: 1 }],
    deprecatedApis: [
      {
        group: 'flowcontrol.apiserver.k8s.io',
        version: 'v1beta2',
        resource: 'flowschemas',
        subresource: '',
        removedRelease: '1.29',
      },
    ],
  });
  inv.nodes[4]!.ready = false;
  return check(inv);
}

function checkMessage(m: SlackMessage): void {
  asKnownBlocks(m);
  expectWithinSlackLimits(m);
  expectOnlyOwnControlSequences(m);
}

const unescape = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const code = (m: SlackMessage) =>
  texts(m)
    .map((t) => /```\n([\s\S]*)\n```$/.exec(t.obj.text)?.[1])
    .filter((c): c is string => c !== undefined)
    .map(unescape)
    .join('\n');

describe('upgrade check for the terminal', () => {
  it('says NO-GO, lists the findings worst first, and numbers the plan with node names', () => {
    const text = renderUpgradeCheckText(noGo());
    const lines = text.split('\n');
    expect(lines[0]).toBe('✖ upgrade check of prod to 1.31.4: NO-GO (3 critical)');
    expect(lines[1]).toBe('1.30.5 → 1.31.4 · 1 hop · etcd 3.5.16 now, 3.5.24 with kubeadm 1.31');
    expect(text).toContain('✖ CRIT  1 node not Ready');
    expect(text).toContain('PLAN: 1.30.5 → 1.31.4  (fix the critical findings first)');
    expect(text).toMatch(
      / 4\. Upgrade the control plane on cp-1 {2}\[on cp-1\]\n {7}sudo kubeadm upgrade apply v1\.31\.4/,
    );
    expect(text).toContain('Drain worker-002  [from an admin machine]');
    expect(text.indexOf('Uncordon worker-001')).toBeLessThan(text.indexOf('Drain worker-002'));
  });

  it('says GO for a clean cluster, and prints every hop of a skipped minor', () => {
    expect(renderUpgradeCheckText(check(inventory(1))).split('\n')[0]).toBe(
      '✔ upgrade check of prod to 1.31.4: GO',
    );
    const inv = inventory(1, { apiserverVersion: 'v1.29.8', kubeadmVersion: 'v1.30.14' });
    inv.apiservers = inv.apiservers.map((a) => ({ ...a, version: 'v1.29.8' }));
    inv.nodes = inv.nodes.map((n) => ({
      ...n,
      kubeletVersion: 'v1.29.8',
      kubeProxyVersion: 'v1.29.8',
    }));
    inv.components = inv.components.map((c) => ({ ...c, version: 'v1.29.8' }));
    const text = renderUpgradeCheckText(check(inv));
    expect(text).toContain('PLAN 1 OF 2: 1.29.8 → 1.30.x');
    expect(text).toContain('PLAN 2 OF 2: 1.30.x → 1.31.4');
    expect(text).toContain('Run this check again before each hop');
  });
});

describe('upgrade check for Slack', () => {
  it('golden: go and no-go', () => {
    const go = upgradeCheckMessage(check(inventory(2)));
    const blocked = upgradeCheckMessage(noGo());
    for (const m of [go, blocked]) checkMessage(m);
    expect(go.text).toBe('upgrade check of prod to 1.31.4: GO');
    expect(blocked.text).toBe('upgrade check of prod to 1.31.4: NO-GO · ✖ 3 critical');
    expectGolden('upgrade-check', { go, noGo: blocked });
  });

  it('shows the whole plan, in order, in code blocks when it fits', () => {
    const report = check(inventory(6));
    const m = upgradeCheckMessage(report);
    checkMessage(m);
    const shown = code(m);
    for (const step of report.data.plans[0]!.steps)
      for (const c of step.commands) expect(shown).toContain(c);
    expect(shown.indexOf('# 1. Take a verified etcd snapshot of prod')).toBe(0);
    expect(shown).toContain('kubectl drain worker-006 --ignore-daemonsets');
  });

  it('shows the workers once, for $NODE, when a large cluster does not fit one message', () => {
    const m = upgradeCheckMessage(check(inventory(300)));
    checkMessage(m);
    const shown = code(m);
    expect(shown).toContain(
      '# Then each of the 300 workers, one at a time, with NODE set to its name:',
    );
    expect(shown).toContain('kubectl drain "$NODE" --ignore-daemonsets');
    expect(shown).toContain('kubectl uncordon "$NODE"');
    expect(shown).toContain('… and 240 more (kubectl get nodes)');
    expect(shown).toContain('sudo kubeadm upgrade apply v1.31.4');
    expect(shown).toContain('quorum etcd check --cluster prod');
    expect(shown).not.toContain('worker-299 --ignore-daemonsets');
  });

  it('names the later hops and points to the CLI for them', () => {
    const inv = inventory(1, { apiserverVersion: 'v1.29.8', kubeadmVersion: 'v1.30.14' });
    inv.apiservers = inv.apiservers.map((a) => ({ ...a, version: 'v1.29.8' }));
    inv.nodes = inv.nodes.map((n) => ({
      ...n,
      kubeletVersion: 'v1.29.8',
      kubeProxyVersion: 'v1.29.8',
    }));
    inv.components = inv.components.map((c) => ({ ...c, version: 'v1.29.8' }));
    const m = upgradeCheckMessage(check(inv));
    checkMessage(m);
    const all = texts(m)
      .map((t) => t.obj.text)
      .join('\n');
    expect(all).toContain('*Plan: 1.29.8 → 1.30.x*');
    expect(all).toContain('Then 1.30.x → 1.31.4: run the check again before each hop');
    expect(all).toContain('`quorum upgrade check --to 1.31.4 --cluster prod`');
  });

  it('a report that could not run is the generic message', () => {
    const m = upgradeCheckMessage(check(inventory(1, { apiserverVersion: '?', apiservers: [] })));
    checkMessage(m);
    expect(m.text).toContain('could not run');
  });
});
