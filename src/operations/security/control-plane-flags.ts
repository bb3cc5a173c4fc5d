/**
 * The control plane's own flags, read from kubeadm's static pods in kube-system (mirror
 * pods labelled tier=control-plane): one command line per component per node, judged by
 * pure rules — kube-apiserver's (apiserver-anonymous.ts, apiserver-flag-rules.ts), and
 * profiling and the bind address of all three. No pod to read is a warning that says the
 * flags were not checked, never an ok.
 */
import type { ContainerInfo, PodInfo } from '../../domain/kube.js';
import type { Finding } from '../../domain/report.js';
import type { KubeClient } from '../kube/client.js';
import { controlPlanePod } from '../kube/control-plane.js';
import { listSome } from '../kube/report.js';
import { anonymousFindings } from './apiserver-anonymous.js';
import { apiserverFlagFindings } from './apiserver-flag-rules.js';
import { boolFlag, parseComponentCommand } from './component-flags.js';
import {
  COMPONENT_KEY,
  FLAG_COMPONENTS,
  flagFinding,
  setFlag,
  type FlagComponent,
  type FlagTarget,
} from './flag-finding.js';
import { itemText } from './manifest-sed.js';

export const CONTROL_PLANE_SELECTOR = 'tier=control-plane';

/** One component's command line on one node, as read from its mirror pod. */
export interface ControlPlaneCommand {
  component: FlagComponent;
  /** `kube-system/kube-apiserver-cp1`. */
  pod: string;
  node?: string;
  /** The image tag, e.g. `v1.31.4`. */
  version?: string;
  /** The container's command then args; empty when the API shows none. */
  command: string[];
}

export interface ControlPlaneFlagFacts {
  commands: ControlPlaneCommand[];
  /** Pods the label selector returned, etcd's included. */
  podsListed: number;
}

const isFlagComponent = (c: string): c is FlagComponent =>
  (FLAG_COMPONENTS as readonly string[]).includes(c);

const baseName = (word: string | undefined) => word?.split('/').pop();

function containerOf(pod: PodInfo, component: string): ContainerInfo | undefined {
  const cs = pod.containers ?? [];
  return (
    cs.find((c) => c.name === component) ??
    cs.find((c) => baseName(c.command[0]) === component) ??
    cs[0]
  );
}

/** Which of two pods of one component on one node to read: live, a mirror, the newest. */
const better = (a: PodInfo, b: PodInfo) =>
  Number(!a.deletionTimestamp) - Number(!b.deletionTimestamp) ||
  Number(a.mirror) - Number(b.mirror) ||
  (a.createdAt ?? '').localeCompare(b.createdAt ?? '');

/** Pure: one command line per component per node, from the listed pods. */
export function controlPlaneCommands(pods: readonly PodInfo[]): ControlPlaneCommand[] {
  const chosen = new Map<string, { pod: PodInfo; component: FlagComponent; version?: string }>();
  for (const pod of pods) {
    const info = controlPlanePod(pod);
    if (!info || !isFlagComponent(info.component)) continue;
    const key = `${info.component}/${pod.node ?? pod.name}`;
    const held = chosen.get(key);
    if (!held || better(pod, held.pod) > 0)
      chosen.set(key, { pod, component: info.component, version: info.version });
  }
  return [...chosen.values()]
    .map(({ pod, component, version }) => ({
      component,
      pod: `${pod.namespace}/${pod.name}`,
      ...(pod.node ? { node: pod.node } : {}),
      ...(version ? { version } : {}),
      command: containerOf(pod, component)?.command ?? [],
    }))
    .sort((a, b) => a.component.localeCompare(b.component) || a.pod.localeCompare(b.pod));
}

/** Lists kube-system's control-plane pods, bounded by `timeoutMs`. */
export async function gatherControlPlaneFlags(
  kube: KubeClient,
  timeoutMs: number,
): Promise<ControlPlaneFlagFacts> {
  const pods = await kube.listPods(
    { namespace: 'kube-system', labelSelector: CONTROL_PLANE_SELECTOR },
    Date.now() + timeoutMs,
  );
  return { commands: controlPlaneCommands(pods), podsListed: pods.length };
}

function profilingFindings(t: FlagTarget): Finding[] {
  if (boolFlag(t.cmd, 'profiling', true) === false) return [];
  const flag = t.cmd.flags.get('profiling');
  return [
    flagFinding(t, {
      rule: 'profiling',
      severity: 'warn',
      flag: 'profiling',
      title: flag
        ? `serves profiling data (${itemText(flag)})`
        : 'serves profiling data (--profiling is not set; its default is true)',
      detail: `/debug/pprof on ${t.component} shows its memory, goroutines and timings to whoever is authorized for it, and a profile costs CPU while it runs; nothing needs it in production.`,
      edit: setFlag(t, 'profiling', 'false'),
    }),
  ];
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1)$/;
const SECURE_PORT: Record<string, string> = {
  'kube-controller-manager': '10257',
  'kube-scheduler': '10259',
};

function bindAddressFindings(t: FlagTarget): Finding[] {
  if (t.cmd.flags.get('secure-port')?.value === '0') return [];
  const flag = t.cmd.flags.get('bind-address');
  if (flag && LOOPBACK.test(flag.value)) return [];
  const port = SECURE_PORT[t.component] ?? '';
  return [
    flagFinding(t, {
      rule: 'bind-address',
      severity: 'warn',
      flag: 'bind-address',
      title: flag
        ? `listens beyond the node itself (${itemText(flag)})`
        : 'listens on every interface (--bind-address is not set; its default is 0.0.0.0)',
      detail: `Port ${port} answers from the network (kubeadm binds it to 127.0.0.1): /healthz, /readyz and /livez to anyone, the rest to whoever authenticates. If Prometheus scrapes /metrics there, scrape it through a proxy on the node instead.`,
      edit: setFlag(t, 'bind-address', '127.0.0.1'),
    }),
  ];
}

function targetOf(c: ControlPlaneCommand): FlagTarget {
  return {
    component: c.component,
    pod: c.pod,
    ...(c.node ? { node: c.node } : {}),
    ...(c.version ? { version: c.version } : {}),
    cmd: parseComponentCommand(c.command),
  };
}

function podFindings(c: ControlPlaneCommand): Finding[] {
  const t = targetOf(c);
  if (t.component === 'kube-apiserver')
    return [...anonymousFindings(t), ...profilingFindings(t), ...apiserverFlagFindings(t)];
  return [...profilingFindings(t), ...bindAddressFindings(t)];
}

const UNCHECKED_REMEDY =
  'On a kubeadm control-plane node: sudo ls -l /etc/kubernetes/manifests/ (each file is a static pod; its API mirror should be in kube-system). The audit needs list on pods in kube-system. A managed control plane (EKS, GKE, AKS…) shows its flags only in the provider’s settings.';

function unchecked(title: string, detail?: string, subject?: string): Finding {
  return {
    id: 'security.control-plane.unchecked',
    severity: 'warn',
    title,
    ...(detail ? { detail } : {}),
    remedy: UNCHECKED_REMEDY,
    ...(subject ? { subject } : {}),
  };
}

function coverageFindings(facts: ControlPlaneFlagFacts): Finding[] {
  if (!facts.commands.length) {
    return [
      unchecked(
        'Control-plane flags not checked: no kube-apiserver, kube-controller-manager or kube-scheduler pod in kube-system',
        `${facts.podsListed} pod(s) labelled ${CONTROL_PLANE_SELECTOR} in kube-system. The control plane is managed, not run as kubeadm static pods, or its static pods have no API mirror — their flags cannot be read from here.`,
      ),
    ];
  }
  const missing = FLAG_COMPONENTS.filter((c) => !facts.commands.some((x) => x.component === c));
  const empty = facts.commands.filter((c) => !c.command.length);
  return [
    ...(missing.length
      ? [
          unchecked(
            `Flags of ${missing.join(', ')} not checked: no pod of ${missing.length === 1 ? 'it' : 'them'} labelled ${CONTROL_PLANE_SELECTOR} in kube-system`,
            undefined,
            missing.join(','),
          ),
        ]
      : []),
    ...empty.map((c) =>
      unchecked(
        `Flags of ${c.pod} not checked: the API shows no command or args for its container`,
        'The component runs with the flags baked into its image, which the API does not show.',
        c.pod,
      ),
    ),
  ];
}

/** Pure: the findings about the control plane's flags; `error` when the pods could not be listed. */
export function controlPlaneFlagFindings(facts?: ControlPlaneFlagFacts, error?: string): Finding[] {
  if (!facts) {
    return [
      unchecked(
        'Control-plane flags not checked: the control-plane pods could not be listed',
        error,
      ),
    ];
  }
  const coverage = coverageFindings(facts);
  const read = facts.commands.filter((c) => c.command.length);
  const findings = read.flatMap(podFindings);
  if (!coverage.length && !findings.some((f) => f.severity === 'warn' || f.severity === 'crit')) {
    const components = [...new Set(read.map((c) => COMPONENT_KEY[c.component].id))];
    findings.push({
      id: 'security.control-plane',
      severity: 'ok',
      title: `Control-plane flags: nothing to change on ${read.length} pod(s) (${listSome(components, 3)})`,
    });
  }
  return [...coverage, ...findings];
}
