/**
 * Cordon and uncordon, idempotent: the node is read first and patched only when
 * `spec.unschedulable` differs, so a repeated request changes nothing and says so.
 */
import type { NodeInfo } from '../../domain/kube.js';
import type { Finding, Report } from '../../domain/report.js';
import type { KubeClient } from './client.js';
import { missingNode } from './node-rules.js';
import { callDeadline, kubeReport, type KubeOpInput } from './report.js';

export interface CordonInput extends KubeOpInput {
  node: string;
}

/** What a cordon or uncordon did. */
export interface CordonData {
  node: string;
  /** The node was patched by this call (false: it was already so, or it does not exist). */
  changed: boolean;
  unschedulable?: boolean;
}

export type CordonReport = Report<CordonData>;

/** Outcome of making a node (un)schedulable, for cordon, uncordon and drain. */
export interface SetSchedulingResult {
  node?: NodeInfo;
  changed: boolean;
}

/** Patches `spec.unschedulable` only when it differs; `node` is undefined when there is none. */
export async function setScheduling(
  client: KubeClient,
  input: CordonInput,
  unschedulable: boolean,
): Promise<SetSchedulingResult> {
  const node = await client.getNode(input.node, callDeadline(input));
  if (!node || node.unschedulable === unschedulable) return { node, changed: false };
  const patched = await client.setUnschedulable(input.node, unschedulable, callDeadline(input));
  return { node: patched, changed: true };
}

function schedulingFinding(name: string, unschedulable: boolean, changed: boolean): Finding {
  const verb = unschedulable ? 'cordoned' : 'uncordoned';
  return {
    id: unschedulable ? 'kube.node.cordon' : 'kube.node.uncordon',
    severity: 'ok',
    title: changed
      ? `Node ${name} ${verb}`
      : `Node ${name} was already ${unschedulable ? 'cordoned' : 'schedulable'}; nothing changed`,
    detail: unschedulable
      ? 'New pods are not scheduled there; running pods stay until drained.'
      : 'New pods may be scheduled there again.',
  };
}

async function schedule(
  client: KubeClient,
  input: CordonInput,
  unschedulable: boolean,
): Promise<CordonReport> {
  const startedAt = new Date().toISOString();
  const kind = unschedulable ? 'kube.cordon' : 'kube.uncordon';
  const { node, changed } = await setScheduling(client, input, unschedulable);
  const findings = node
    ? [schedulingFinding(input.node, unschedulable, changed)]
    : [missingNode(input.node, client.server)];
  return kubeReport(kind, input.cluster, startedAt, findings, {
    node: input.node,
    changed,
    unschedulable: node?.unschedulable,
  });
}

/** Marks the node unschedulable (idempotent). */
export function cordon(client: KubeClient, input: CordonInput): Promise<CordonReport> {
  return schedule(client, input, true);
}

/** Marks the node schedulable again (idempotent). */
export function uncordon(client: KubeClient, input: CordonInput): Promise<CordonReport> {
  return schedule(client, input, false);
}
