/**
 * The upgrade job kinds (see catalogue.ts for the contract comment format). Handlers
 * only translate: params and config → the operation's input.
 */
import { z } from 'zod';
import { upgradeCheck } from '../../operations/upgrade/check.js';
import { gatherEtcdOf } from '../../app/etcd-inputs.js';
import { tryParseKubeVersion } from '../../operations/upgrade/kube-version.js';
import { defineJob } from './job-kind.js';

/** name upgrade.check · params { to, allowPrerelease? } · effect: reads only (the Kubernetes API,
 *  etcd's status and check, the snapshot directory, the etcd certificate files); the report is
 *  the go / no-go verdict and the ordered plan · not destructive · not maintenance · timeout
 *  3 × the check timeout + 10 s · 2 attempts, 5 s apart (a no-go is a report, not a failure) */
export const upgradeCheckJob = defineJob({
  name: 'upgrade.check',
  title: 'upgrade check',
  params: z
    .object({
      to: z
        .string()
        .max(64)
        .refine((v) => tryParseKubeVersion(v) !== undefined, {
          message: 'must be a Kubernetes version, e.g. v1.32.0',
        }),
      allowPrerelease: z.boolean().optional(),
    })
    .strict(),
  destructive: false,
  maintenance: false,
  timeoutMs: (c) => 3 * c.check.timeout + 10_000,
  attempts: 2,
  backoff: { type: 'fixed', delay: 5_000 },
  run: (ctx, p) =>
    upgradeCheck(
      ctx.kube(),
      {
        ...gatherEtcdOf(ctx.config, ctx.cluster, ctx.connect, ctx.snapshots()),
        drills: ctx.drills,
      },
      {
        cluster: ctx.cluster.name,
        timeoutMs: ctx.config.check.timeout,
        to: p.to,
        allowPrerelease: p.allowPrerelease ?? false,
        maxSnapshotAge: ctx.config.upgrade.maxSnapshotAge,
      },
    ),
});

export const UPGRADE_JOBS = [upgradeCheckJob];
