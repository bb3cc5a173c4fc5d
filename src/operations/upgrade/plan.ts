/**
 * The ordered kubeadm upgrade of one hop, with this cluster's node names, as data:
 * snapshot first; kubeadm, `kubeadm upgrade plan` and `kubeadm upgrade apply` on the
 * first control-plane node; `kubeadm upgrade node` on the others; then each
 * control-plane node's kubelet and kubectl (drain, upgrade, restart, uncordon); then the
 * workers one at a time the same way. Commands follow the kubeadm upgrade guide for the
 * pkgs.k8s.io packages (https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-upgrade/).
 */
import type { InventoryNode } from './inventory.js';
import { hopMinor, type UpgradeHop } from './skew-policy.js';

export type PackageManager = 'apt' | 'yum';

export interface PlanStep {
  title: string;
  /** The node this step is about (the one drained, upgraded, uncordoned). */
  node?: string;
  /** Where the commands run: on `node` itself, or on a machine with kubectl admin access (and quorum). */
  on: 'node' | 'admin';
  phase: 'prepare' | 'control-plane' | 'workers' | 'verify';
  /** Pasteable, in order; empty for a step that is a check by hand. */
  commands: string[];
}

export interface UpgradePlan {
  from: string;
  to: string;
  steps: PlanStep[];
}

export interface PlanInput {
  cluster: string;
  hop: UpgradeHop;
  nodes: readonly InventoryNode[];
  packageManager?: PackageManager;
}

/**
 * Control-plane nodes in upgrade order (the first runs `kubeadm upgrade apply`: the
 * first Ready one in the inventory's order) and the workers in the inventory's order.
 */
export function planNodes(nodes: readonly InventoryNode[]): {
  controlPlane: InventoryNode[];
  workers: InventoryNode[];
} {
  const cp = nodes.filter((n) => n.role === 'control-plane');
  const first = cp.find((n) => n.ready) ?? cp[0];
  return {
    controlPlane: first ? [first, ...cp.filter((n) => n !== first)] : [],
    workers: nodes.filter((n) => n.role !== 'control-plane'),
  };
}

const minorOf = (version: string) => version.split('.').slice(0, 2).join('.');

const REPO_FILE: Record<PackageManager, string> = {
  apt: '/etc/apt/sources.list.d/kubernetes.list',
  yum: '/etc/yum.repos.d/kubernetes.repo',
};

/**
 * Commands that install `packages` at the hop's version. The pkgs.k8s.io repositories are
 * per minor: the first install on a node (kubeadm's, `switchRepo`) points it at the new one.
 */
function install(
  pm: PackageManager,
  packages: string[],
  hop: UpgradeHop,
  switchRepo: boolean,
): string[] {
  const from = minorOf(hop.from);
  const to = hopMinor(hop);
  const repo =
    switchRepo && from !== to ? [`sudo sed -i 's#/v${from}/#/v${to}/#g' ${REPO_FILE[pm]}`] : [];
  if (pm === 'yum') {
    const pinned = packages.map((p) => `${p}-'${hop.to}-*'`).join(' ');
    return [...repo, `sudo yum install -y ${pinned} --disableexcludes=kubernetes`];
  }
  const list = packages.join(' ');
  const pinned = packages.map((p) => `${p}='${hop.to}-*'`).join(' ');
  return [
    ...repo,
    `sudo apt-mark unhold ${list}`,
    'sudo apt-get update',
    `sudo apt-get install -y ${pinned}`,
    `sudo apt-mark hold ${list}`,
  ];
}

/** Drain, kubelet and kubectl, restart, uncordon (or leave cordoned) — one node. */
function kubeletSteps(
  node: InventoryNode,
  pm: PackageManager,
  hop: UpgradeHop,
  phase: PlanStep['phase'],
): PlanStep[] {
  return [
    {
      title: `Drain ${node.name}`,
      node: node.name,
      on: 'admin',
      phase,
      commands: [`kubectl drain ${node.name} --ignore-daemonsets`],
    },
    {
      title: `Upgrade kubelet and kubectl on ${node.name}, restart kubelet`,
      node: node.name,
      on: 'node',
      phase,
      commands: [
        ...install(pm, ['kubelet', 'kubectl'], hop, false),
        'sudo systemctl daemon-reload && sudo systemctl restart kubelet',
      ],
    },
    node.unschedulable
      ? {
          title: `Leave ${node.name} cordoned: it was cordoned before the upgrade`,
          node: node.name,
          on: 'admin',
          phase,
          commands: [],
        }
      : {
          title: `Uncordon ${node.name}`,
          node: node.name,
          on: 'admin',
          phase,
          commands: [`kubectl uncordon ${node.name}`],
        },
  ];
}

/** kubeadm, `upgrade plan` and `upgrade apply` on the first control-plane node; `upgrade node` on the others. */
function controlPlaneSteps(cp: InventoryNode[], pm: PackageManager, hop: UpgradeHop): PlanStep[] {
  const [first, ...others] = cp;
  if (!first) return [];
  const on = { node: first.name, on: 'node', phase: 'control-plane' } as const;
  return [
    {
      title: `Upgrade kubeadm on ${first.name}`,
      ...on,
      commands: [...install(pm, ['kubeadm'], hop, true), 'kubeadm version -o short'],
    },
    {
      title: `Check the upgrade plan on ${first.name}`,
      ...on,
      commands: ['sudo kubeadm upgrade plan'],
    },
    {
      title: `Upgrade the control plane on ${first.name}`,
      ...on,
      commands: [`sudo kubeadm upgrade apply v${hop.to}`],
    },
    {
      title: `Upgrade the CNI plugin if its documentation asks for it with ${hopMinor(hop)}`,
      on: 'admin',
      phase: 'control-plane',
      commands: [],
    },
    ...others.map((node): PlanStep => ({
      title: `Upgrade kubeadm and the control plane on ${node.name}`,
      node: node.name,
      on: 'node',
      phase: 'control-plane',
      commands: [...install(pm, ['kubeadm'], hop, true), 'sudo kubeadm upgrade node'],
    })),
  ];
}

export function upgradePlan(input: PlanInput): UpgradePlan {
  const { hop, cluster } = input;
  const pm = input.packageManager ?? 'apt';
  const { controlPlane, workers } = planNodes(input.nodes);
  const prepare: PlanStep[] = [
    {
      title: `Take a verified etcd snapshot of ${cluster}`,
      on: 'admin',
      phase: 'prepare',
      commands: [`quorum etcd snapshot --cluster ${cluster}`],
    },
    ...(hop.exact
      ? []
      : [
          {
            title: `Look up the latest ${hopMinor(hop)} patch and use it wherever this plan says ${hop.to}`,
            on: 'admin',
            phase: 'prepare',
            commands: [`curl -fsSL https://dl.k8s.io/release/stable-${hopMinor(hop)}.txt`],
          } satisfies PlanStep,
        ]),
  ];
  const workerSteps = workers.flatMap((node): PlanStep[] => [
    {
      title: `Upgrade kubeadm and the kubelet configuration on ${node.name}`,
      node: node.name,
      on: 'node',
      phase: 'workers',
      commands: [...install(pm, ['kubeadm'], hop, true), 'sudo kubeadm upgrade node'],
    },
    ...kubeletSteps(node, pm, hop, 'workers'),
  ]);
  const verify: PlanStep = {
    title: `Check that every node is Ready at ${hop.to} and etcd is healthy`,
    on: 'admin',
    phase: 'verify',
    commands: ['kubectl get nodes -o wide', `quorum etcd check --cluster ${cluster}`],
  };
  return {
    from: hop.from,
    to: hop.to,
    steps: [
      ...prepare,
      ...controlPlaneSteps(controlPlane, pm, hop),
      ...controlPlane.flatMap((node) => kubeletSteps(node, pm, hop, 'control-plane')),
      ...workerSteps,
      verify,
    ],
  };
}
