import { describe, expect, it } from 'vitest';
import type { InventoryNode } from '../../src/operations/upgrade/inventory.js';
import { planNodes, upgradePlan, type PlanStep } from '../../src/operations/upgrade/plan.js';

const node = (
  name: string,
  role: InventoryNode['role'],
  over: Partial<InventoryNode> = {},
): InventoryNode => ({ name, role, ready: true, kubeletVersion: 'v1.30.5', ...over });

// The inventory's order, workers mixed in: the plan must still do the control plane first.
const NODES = [
  node('w-east-1', 'worker'),
  node('cp-a', 'control-plane'),
  node('cp-b', 'control-plane'),
  node('w-west-1', 'worker'),
  node('cp-c', 'control-plane'),
];
const HOP = { from: '1.30.5', to: '1.31.4', exact: true };

const plan = (nodes = NODES, hop = HOP, pm?: 'apt' | 'yum') =>
  upgradePlan({ cluster: 'prod', hop, nodes, ...(pm ? { packageManager: pm } : {}) });
const titles = (steps: PlanStep[]) => steps.map((s) => s.title);
const commands = (steps: PlanStep[]) => steps.flatMap((s) => s.commands);
const indexOf = (steps: PlanStep[], title: string) => {
  const i = steps.findIndex((s) => s.title === title);
  if (i < 0) throw new Error(`no step "${title}" in:\n${titles(steps).join('\n')}`);
  return i;
};

describe('kubeadm upgrade plan', () => {
  it('orders the steps with the real node names: snapshot, first control plane, the others, kubelets, workers one by one', () => {
    const { steps } = plan();
    expect(titles(steps)).toEqual([
      'Take a verified etcd snapshot of prod',
      'Upgrade kubeadm on cp-a',
      'Check the upgrade plan on cp-a',
      'Upgrade the control plane on cp-a',
      'Upgrade the CNI plugin if its documentation asks for it with 1.31',
      'Upgrade kubeadm and the control plane on cp-b',
      'Upgrade kubeadm and the control plane on cp-c',
      'Drain cp-a',
      'Upgrade kubelet and kubectl on cp-a, restart kubelet',
      'Uncordon cp-a',
      'Drain cp-b',
      'Upgrade kubelet and kubectl on cp-b, restart kubelet',
      'Uncordon cp-b',
      'Drain cp-c',
      'Upgrade kubelet and kubectl on cp-c, restart kubelet',
      'Uncordon cp-c',
      'Upgrade kubeadm and the kubelet configuration on w-east-1',
      'Drain w-east-1',
      'Upgrade kubelet and kubectl on w-east-1, restart kubelet',
      'Uncordon w-east-1',
      'Upgrade kubeadm and the kubelet configuration on w-west-1',
      'Drain w-west-1',
      'Upgrade kubelet and kubectl on w-west-1, restart kubelet',
      'Uncordon w-west-1',
      'Check that every node is Ready at 1.31.4 and etcd is healthy',
    ]);
  });

  it('runs upgrade apply once, on the first control-plane node, and upgrade node everywhere else', () => {
    const { steps } = plan();
    const apply = steps.filter((s) => s.commands.some((c) => c.includes('kubeadm upgrade apply')));
    expect(apply).toEqual([
      expect.objectContaining({
        node: 'cp-a',
        on: 'node',
        commands: ['sudo kubeadm upgrade apply v1.31.4'],
      }),
    ]);
    const upgradeNode = steps.filter((s) => s.commands.includes('sudo kubeadm upgrade node'));
    expect(upgradeNode.map((s) => s.node)).toEqual(['cp-b', 'cp-c', 'w-east-1', 'w-west-1']);
    expect(steps[0]).toMatchObject({
      on: 'admin',
      commands: ['quorum etcd snapshot --cluster prod'],
    });
  });

  it('drains workers one at a time: each is uncordoned before the next is drained', () => {
    const { steps } = plan();
    expect(indexOf(steps, 'Uncordon cp-c')).toBeLessThan(indexOf(steps, 'Drain w-east-1'));
    expect(indexOf(steps, 'Uncordon w-east-1')).toBeLessThan(indexOf(steps, 'Drain w-west-1'));
    const drains = steps.filter((s) => s.title.startsWith('Drain'));
    expect(drains.map((s) => s.commands)).toEqual(
      ['cp-a', 'cp-b', 'cp-c', 'w-east-1', 'w-west-1'].map((n) => [
        `kubectl drain ${n} --ignore-daemonsets`,
      ]),
    );
    expect(drains.every((s) => s.on === 'admin')).toBe(true);
  });

  it('pins the packages, switches the pkgs.k8s.io repository to the new minor once per node, restarts the kubelet', () => {
    const kubeadm = plan().steps.find(
      (s) => s.title === 'Upgrade kubeadm and the control plane on cp-b',
    );
    expect(kubeadm?.commands).toEqual([
      "sudo sed -i 's#/v1.30/#/v1.31/#g' /etc/apt/sources.list.d/kubernetes.list",
      'sudo apt-mark unhold kubeadm',
      'sudo apt-get update',
      "sudo apt-get install -y kubeadm='1.31.4-*'",
      'sudo apt-mark hold kubeadm',
      'sudo kubeadm upgrade node',
    ]);
    const switches = plan().steps.filter((s) =>
      s.commands.some((c) => c.includes('sources.list.d')),
    );
    expect(switches.map((s) => s.node)).toEqual(['cp-a', 'cp-b', 'cp-c', 'w-east-1', 'w-west-1']);
    const kubelet = plan().steps.find((s) =>
      s.title.startsWith('Upgrade kubelet and kubectl on cp-b'),
    );
    expect(kubelet).toMatchObject({ node: 'cp-b', on: 'node' });
    expect(kubelet?.commands).toEqual([
      'sudo apt-mark unhold kubelet kubectl',
      'sudo apt-get update',
      "sudo apt-get install -y kubelet='1.31.4-*' kubectl='1.31.4-*'",
      'sudo apt-mark hold kubelet kubectl',
      'sudo systemctl daemon-reload && sudo systemctl restart kubelet',
    ]);
    const patch = plan(NODES, { from: '1.31.2', to: '1.31.4', exact: true });
    expect(commands(patch.steps).some((c) => c.includes('sources.list.d'))).toBe(false);
  });

  it('speaks yum too', () => {
    const kubeadm = plan(NODES, HOP, 'yum').steps[1];
    expect(kubeadm?.commands).toEqual([
      "sudo sed -i 's#/v1.30/#/v1.31/#g' /etc/yum.repos.d/kubernetes.repo",
      "sudo yum install -y kubeadm-'1.31.4-*' --disableexcludes=kubernetes",
      'kubeadm version -o short',
    ]);
  });

  it('starts on a Ready control-plane node, and leaves a cordoned node cordoned', () => {
    const nodes = [
      node('cp-a', 'control-plane', { ready: false }),
      node('cp-b', 'control-plane'),
      node('w-1', 'worker', { unschedulable: true }),
    ];
    expect(planNodes(nodes).controlPlane.map((n) => n.name)).toEqual(['cp-b', 'cp-a']);
    const { steps } = plan(nodes);
    expect(steps.find((s) => s.commands.some((c) => c.includes('upgrade apply')))?.node).toBe(
      'cp-b',
    );
    expect(commands(steps)).not.toContain('kubectl uncordon w-1');
    expect(titles(steps)).toContain('Leave w-1 cordoned: it was cordoned before the upgrade');
  });

  it('an intermediate hop says how to find its latest patch', () => {
    const { steps } = plan(NODES, { from: '1.29.8', to: '1.30.x', exact: false });
    expect(steps[1]).toMatchObject({
      title: 'Look up the latest 1.30 patch and use it wherever this plan says 1.30.x',
      commands: ['curl -fsSL https://dl.k8s.io/release/stable-1.30.txt'],
    });
    expect(commands(steps)).toContain('sudo kubeadm upgrade apply v1.30.x');
  });
});
