/**
 * The Kubernetes job kinds the runbooks use (see catalogue.ts for the contract
 * comment format). Handlers only translate: params → the operation's input.
 */
import { z } from 'zod';
import { controlPlane } from '../../operations/kube/control-plane.js';
import { cordon, uncordon } from '../../operations/kube/cordon.js';
import { drainNode } from '../../operations/kube/drain.js';
import { drainProgressText } from '../../operations/kube/drain-progress.js';
import { diagnoseNode } from '../../operations/kube/node-diagnosis.js';
import { defineJob, type JobContext } from './job-kind.js';

const MINUTE = 60_000;
/** A node name as Kubernetes allows it (DNS subdomain). */
const nodeParams = z
  .object({
    node: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, 'must be a node name, e.g. worker-1'),
  })
  .strict();
const kubeInput = (ctx: JobContext) => ({
  cluster: ctx.cluster.name,
  timeoutMs: ctx.config.check.timeout,
});

/** name kube.node · params { node } · effect: reads the node, its Lease, pods and events ·
 *  timeout 1 min · 2 attempts */
export const kubeNode = defineJob({
  name: 'kube.node',
  title: 'node diagnosis',
  params: nodeParams,
  destructive: false,
  maintenance: false,
  timeoutMs: () => MINUTE,
  attempts: 2,
  backoff: { type: 'fixed', delay: 5_000 },
  run: (ctx, p) => diagnoseNode(ctx.kube(), { ...kubeInput(ctx), node: p.node }),
});

/** name kube.control-plane · params {} · effect: reads kube-system's control-plane pods and the nodes ·
 *  timeout 1 min · 2 attempts */
export const kubeControlPlane = defineJob({
  name: 'kube.control-plane',
  title: 'control plane',
  params: z.object({}).strict(),
  destructive: false,
  maintenance: false,
  timeoutMs: () => MINUTE,
  attempts: 2,
  backoff: { type: 'fixed', delay: 5_000 },
  run: (ctx) => controlPlane(ctx.kube(), kubeInput(ctx)),
});

/** cordon and uncordon: the same contract but for the direction. */
const scheduling = (name: 'kube.cordon' | 'kube.uncordon', op: typeof cordon) =>
  defineJob({
    name,
    title: name.slice('kube.'.length),
    params: nodeParams,
    destructive: true,
    maintenance: false,
    timeoutMs: () => MINUTE,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2_000 },
    run: (ctx, p) => op(ctx.kube(), { ...kubeInput(ctx), node: p.node }),
  });

/** name kube.cordon · params { node } · effect: marks the node unschedulable; already cordoned
 *  counts as done · destructive · timeout 1 min · 3 attempts, from 2 s doubling */
export const kubeCordon = scheduling('kube.cordon', cordon);

/** name kube.uncordon · params { node } · effect: makes the node schedulable again; idempotent ·
 *  destructive · timeout 1 min · 3 attempts, from 2 s doubling */
export const kubeUncordon = scheduling('kube.uncordon', uncordon);

/** name kube.drain · params { node } · effect: cordons, then evicts every pod but DaemonSet and
 *  static ones through the Eviction API, maintenance.drainConcurrency at a time (PodDisruptionBudgets
 *  honoured, never forced); a retry counts pods already gone as done · progress: `evicted 37/120,
 *  2 blocked by db-pdb` · destructive · timeout 15 min · 2 attempts */
export const kubeDrain = defineJob({
  name: 'kube.drain',
  title: 'drain',
  params: nodeParams,
  destructive: true,
  maintenance: false,
  timeoutMs: () => 15 * MINUTE,
  attempts: 2,
  backoff: { type: 'fixed', delay: 30_000 },
  run: (ctx, p) =>
    drainNode(ctx.kube(), {
      ...kubeInput(ctx),
      node: p.node,
      retryIntervalMs: ctx.config.maintenance.drainRetryInterval,
      retryLimitMs: ctx.config.maintenance.drainRetryLimit,
      concurrency: ctx.config.maintenance.drainConcurrency,
      // The whole line is the step: with done/total the reporter would add "(37 of 120)".
      onProgress: (p) => ctx.progress({ step: drainProgressText(p) }),
    }),
});

export const KUBE_JOBS = [kubeNode, kubeControlPlane, kubeCordon, kubeUncordon, kubeDrain];
