import { describe, expect, it } from 'vitest';
import type { NodeInfo, PodInfo } from '../../src/domain/kube.js';
import {
  controlPlaneParts,
  coreDnsImage,
  inventoryNodes,
  kubeProxyVersions,
} from '../../src/operations/upgrade/gather-kube.js';

function pod(name: string, over: Partial<PodInfo> = {}): PodInfo {
  return {
    namespace: 'kube-system',
    name,
    phase: 'Running',
    ready: true,
    mirror: false,
    images: [],
    labels: {},
    restarts: 0,
    ...over,
  };
}

function node(name: string, roles: string[], over: Partial<NodeInfo> = {}): NodeInfo {
  return {
    name,
    roles,
    labels: {},
    ready: true,
    readyStatus: 'True',
    conditions: [],
    pressure: { memory: false, disk: false, pid: false },
    taints: [],
    unschedulable: false,
    kubeletVersion: 'v1.31.4',
    // Deprecated and unreliable: never read for kube-proxy.
    kubeProxyVersion: 'v9.9.9',
    ...over,
  };
}

const staticPod = (component: string, nodeName: string, tag: string) =>
  pod(`${component}-${nodeName}`, {
    node: nodeName,
    mirror: true,
    images: [`registry.k8s.io/${component}:${tag}`],
    labels: { component, tier: 'control-plane' },
  });

describe('upgrade inventory from API objects', () => {
  it('takes kube-proxy from its DaemonSet pods, not from nodeInfo', () => {
    const proxies = kubeProxyVersions([
      pod('kube-proxy-a', {
        node: 'w1',
        labels: { 'k8s-app': 'kube-proxy' },
        images: ['registry.k8s.io/kube-proxy:v1.30.2'],
      }),
      pod('kp-b', {
        node: 'w2',
        ownerKind: 'DaemonSet',
        ownerName: 'kube-proxy',
        images: ['reg:5000/kube-proxy:v1.31.1@sha256:abc'],
      }),
      pod('other', { node: 'w3', images: ['registry.k8s.io/kube-proxy:v1.20.0'] }),
    ]);
    expect([...proxies]).toEqual([
      ['w1', 'v1.30.2'],
      ['w2', 'v1.31.1'],
    ]);
    const nodes = inventoryNodes(
      [
        node('cp', ['control-plane']),
        node('old', ['master']),
        node('w1', [], { unschedulable: true, ready: false }),
        node('w2', [], { kubeletVersion: undefined }),
      ],
      proxies,
    );
    expect(nodes).toEqual([
      { name: 'cp', role: 'control-plane', ready: true, kubeletVersion: 'v1.31.4' },
      { name: 'old', role: 'control-plane', ready: true, kubeletVersion: 'v1.31.4' },
      {
        name: 'w1',
        role: 'worker',
        ready: false,
        unschedulable: true,
        kubeletVersion: 'v1.31.4',
        kubeProxyVersion: 'v1.30.2',
      },
      { name: 'w2', role: 'worker', ready: true, kubeletVersion: '', kubeProxyVersion: 'v1.31.1' },
    ]);
  });

  it('reads the control plane from static pods, a cloud-controller-manager Deployment included', () => {
    const parts = controlPlaneParts([
      staticPod('kube-apiserver', 'cp-1', 'v1.31.4'),
      staticPod('kube-controller-manager', 'cp-1', 'v1.31.4'),
      staticPod('kube-scheduler', 'cp-1', 'v1.31.3'),
      pod('cloud-controller-manager-5d9c7', {
        node: 'cp-1',
        ownerKind: 'ReplicaSet',
        labels: { 'k8s-app': 'cloud-controller-manager' },
        images: ['registry.example/openstack-cloud-controller-manager:v1.31.0'],
      }),
      pod('coredns-1', { labels: { 'k8s-app': 'kube-dns' }, images: ['x/coredns:v1.11.3'] }),
    ]);
    expect(parts.apiservers).toEqual([
      { node: 'cp-1', version: 'registry.k8s.io/kube-apiserver:v1.31.4' },
    ]);
    expect(parts.components.map((c) => `${c.component}@${c.node}=${c.version}`)).toEqual([
      'kube-controller-manager@cp-1=registry.k8s.io/kube-controller-manager:v1.31.4',
      'kube-scheduler@cp-1=registry.k8s.io/kube-scheduler:v1.31.3',
      'cloud-controller-manager@cp-1=registry.example/openstack-cloud-controller-manager:v1.31.0',
    ]);
    expect(parts.controlPlanePods.map((p) => p.component)).toEqual([
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'cloud-controller-manager',
    ]);
    // An API server pod but no etcd pod: etcd runs outside the cluster.
    expect(parts.etcdExternal).toBe(true);
    expect(
      controlPlaneParts([
        staticPod('kube-apiserver', 'cp-1', 'v1.31.4'),
        staticPod('etcd', 'cp-1', '3.5.15-0'),
      ]).etcdExternal,
    ).toBe(false);
    expect(controlPlaneParts([]).etcdExternal).toBe(false);
  });

  it('finds the CoreDNS image', () => {
    expect(
      coreDnsImage([
        pod('coredns-1', {
          labels: { 'k8s-app': 'kube-dns' },
          images: ['registry.k8s.io/coredns/coredns:v1.11.3'],
        }),
      ]),
    ).toBe('registry.k8s.io/coredns/coredns:v1.11.3');
    expect(coreDnsImage([pod('x')])).toBeUndefined();
  });
});
