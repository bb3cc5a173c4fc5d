import { describe, expect, it } from 'vitest';
import { imageTag, type EventInfo, type NodeInfo, type PodInfo } from '../../src/domain/kube.js';
import { controlPlaneFindings, controlPlanePod } from '../../src/operations/kube/control-plane.js';
import { drainFindings, type DrainData } from '../../src/operations/kube/drain-findings.js';
import { eventLine, newestEvents } from '../../src/operations/kube/events.js';
import { podClass } from '../../src/operations/kube/node-pods.js';
import {
  LEASE_STALE_MS,
  leaseFinding,
  nodeFindings,
} from '../../src/operations/kube/node-rules.js';
import { selectorSelects, selectorText } from '../../src/operations/kube/selector.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');

function nodeInfo(over: Partial<NodeInfo> = {}): NodeInfo {
  return {
    name: 'worker-1',
    roles: [],
    labels: {},
    ready: true,
    readyStatus: 'True',
    conditions: [{ type: 'Ready', status: 'True' }],
    pressure: { memory: false, disk: false, pid: false },
    taints: [],
    unschedulable: false,
    ...over,
  };
}

function podInfo(over: Partial<PodInfo> = {}): PodInfo {
  return {
    namespace: 'kube-system',
    name: 'p',
    phase: 'Running',
    ready: true,
    mirror: false,
    images: [],
    labels: {},
    restarts: 0,
    ...over,
  };
}

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front' };
  it('ANDs matchLabels and every matchExpressions operator', () => {
    expect(selectorSelects({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorSelects({ matchLabels: { app: 'api' } }, labels)).toBe(false);
    const expr = (operator: string, values?: string[]) =>
      selectorSelects({ matchExpressions: [{ key: 'tier', operator, values }] }, labels);
    expect([
      expr('In', ['front']),
      expr('NotIn', ['front']),
      expr('Exists'),
      expr('DoesNotExist'),
    ]).toEqual([true, false, true, false]);
    expect(selectorSelects({}, labels)).toBe(true);
  });

  it('writes kubectl -l syntax', () => {
    expect(
      selectorText({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,tier in (a,b),!legacy');
  });
});

describe('node rules', () => {
  const renewed = (ageMs: number) => ({
    node: nodeInfo(),
    lease: {
      namespace: 'kube-node-lease',
      name: 'worker-1',
      renewTime: new Date(NOW - ageMs).toISOString(),
    },
    leaseAgeMs: ageMs,
    now: NOW,
  });

  it('calls a lease stale only past 40 s', () => {
    expect(leaseFinding(renewed(LEASE_STALE_MS)).severity).toBe('ok');
    expect(leaseFinding(renewed(LEASE_STALE_MS + 1)).severity).toBe('crit');
    expect(leaseFinding({ node: nodeInfo(), now: NOW }).severity).toBe('warn');
  });

  it('warns on each pressure with its own remedy, and notes a cordon', () => {
    const node = nodeInfo({
      pressure: { memory: false, disk: true, pid: true },
      unschedulable: true,
    });
    const findings = nodeFindings({ ...renewed(1_000), node });
    const ids = findings.map((f) => f.id);
    expect(ids).toEqual([
      'kube.node.ready',
      'kube.node.lease',
      'kube.node.pressure.disk',
      'kube.node.pressure.pid',
      'kube.node.cordoned',
    ]);
    expect(findings[2]!.remedy).toContain('ssh worker-1 df -h');
    expect(findings[4]!.remedy).toBe('When maintenance is over: kubectl uncordon worker-1');
  });

  it('says how long a node has been NotReady', () => {
    const node = nodeInfo({
      ready: false,
      readyStatus: 'False',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'KubeletNotReady',
          message: 'PLEG is not healthy',
          lastTransitionTime: new Date(NOW - 125_000).toISOString(),
        },
      ],
    });
    const [ready] = nodeFindings({ ...renewed(1_000), node });
    expect(ready).toMatchObject({ severity: 'crit', title: 'Node worker-1 is NotReady' });
    expect(ready!.detail).toContain('(2m 5s ago) — KubeletNotReady: PLEG is not healthy');
  });
});

describe('pods and events', () => {
  it('classifies pods by what keeps them on the node', () => {
    expect(podClass(podInfo({ mirror: true, ownerKind: 'Node' }))).toBe('static');
    expect(podClass(podInfo({ ownerKind: 'DaemonSet' }))).toBe('daemonset');
    expect(podClass(podInfo({ ownerKind: 'ReplicaSet' }))).toBe('managed');
    expect(podClass(podInfo())).toBe('unmanaged');
  });

  it('orders events newest first and limits them', () => {
    const e = (reason: string, agoMs?: number): EventInfo => ({
      namespace: 'default',
      type: 'Normal',
      reason,
      message: reason,
      count: 2,
      lastSeen: agoMs === undefined ? undefined : new Date(NOW - agoMs).toISOString(),
      object: { kind: 'Node', name: 'n' },
    });
    const events = newestEvents(
      [e('old', 90_000), e('undated'), e('new', 1_000), e('mid', 30_000)],
      3,
    );
    expect(events.map((x) => x.reason)).toEqual(['new', 'mid', 'old']);
    expect(eventLine(events[0]!, NOW)).toBe('new: new (×2, 1.0s ago)');
  });
});

describe('control plane', () => {
  it('reads versions from image tags, digests and registry ports included', () => {
    expect(imageTag('registry.k8s.io/kube-apiserver:v1.31.4')).toBe('v1.31.4');
    expect(imageTag('reg:5000/etcd:3.5.15-0@sha256:abc')).toBe('3.5.15-0');
    expect(imageTag('reg:5000/etcd')).toBeUndefined();
  });

  it('recognises control-plane pods by label or name', () => {
    expect(
      controlPlanePod(podInfo({ name: 'etcd-cp-1', images: ['registry.k8s.io/etcd:3.5.15-0'] })),
    ).toMatchObject({
      component: 'etcd',
      version: '3.5.15-0',
    });
    expect(controlPlanePod(podInfo({ name: 'coredns-1' }))).toBeUndefined();
    expect(controlPlanePod(podInfo({ name: 'etcd-cp-1', namespace: 'default' }))).toBeUndefined();
  });

  it('expects etcd on every control-plane node only when etcd is stacked', () => {
    const pod = (component: string, node: string) => ({
      namespace: 'kube-system',
      name: `${component}-${node}`,
      node,
      component,
      phase: 'Running',
      ready: true,
      version: 'v1.31.4',
      restarts: 0,
    });
    const external = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((c) =>
      pod(c, 'cp-1'),
    );
    expect(controlPlaneFindings({ pods: external, nodes: ['cp-1'] })).toMatchObject([
      { severity: 'ok' },
    ]);
    const stacked = [...external, pod('etcd', 'cp-2')];
    const titles = controlPlaneFindings({ pods: stacked, nodes: ['cp-1'] }).map((f) => f.title);
    expect(titles).toEqual(['Control-plane node cp-1 runs no etcd pod']);
    expect(controlPlaneFindings({ pods: [], nodes: [] })).toMatchObject([{ severity: 'info' }]);
  });
});

describe('drain findings', () => {
  const base: DrainData = {
    node: 'worker-1',
    cordoned: true,
    total: 3,
    evicted: ['shop/a'],
    gone: [],
    skipped: [{ pod: 'kube-system/kube-proxy-x', class: 'daemonset' }],
    blocked: ['shop/b', 'shop/c'],
    failed: [],
    budgets: [
      {
        namespace: 'shop',
        name: 'web-pdb',
        selector: 'app=web',
        disruptionsAllowed: 0,
        currentHealthy: 2,
        desiredHealthy: 2,
        expectedPods: 2,
        pods: ['shop/b'],
      },
    ],
    unmanaged: [],
    terminating: [],
    rounds: 4,
    retriedMs: 15_000,
  };

  it('names each blocking budget and what is not explained by one, never suggesting force', () => {
    const findings = drainFindings(base);
    expect(findings.map((f) => `${f.severity} ${f.id}`)).toEqual([
      'crit kube.drain.blocked',
      'crit kube.drain.blocked',
      'info kube.drain.partial',
      'info kube.drain.skipped',
    ]);
    expect(findings[0]!.title).toBe(
      'PodDisruptionBudget shop/web-pdb blocks the drain of worker-1',
    );
    expect(findings[0]!.remedy).toContain("kubectl -n shop get pods -o wide -l 'app=web'");
    expect(findings[1]!.detail).toContain('shop/c');
    expect(findings.map((f) => f.remedy ?? '').join(' ')).not.toMatch(/--force|delete pod/);
  });

  it('is ok when nothing is blocked', () => {
    const findings = drainFindings({
      ...base,
      blocked: [],
      budgets: [],
      evicted: ['shop/a', 'shop/b'],
      gone: ['shop/c'],
    });
    expect(findings[0]).toMatchObject({
      severity: 'ok',
      title: 'Node worker-1 drained: 3 of 3 pod(s) evicted',
    });
  });
});
