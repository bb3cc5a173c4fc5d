/**
 * The security audit's job kind (see catalogue.ts for the contract comment format).
 * The handler only translates: the cluster's config → the operation's input.
 */
import { z } from 'zod';
import { securityAudit } from '../../operations/security/audit.js';
import { defineJob } from './job-kind.js';

const MINUTE = 60_000;

/** name security.audit · params {} · effect: reads only — the keys under /registry/secrets/ (each
 *  value's first bytes, dropped at once: no Secret value reaches the report, a log or Slack),
 *  how etcd answers a client without credentials, and RBAC, namespaces and pods through the API ·
 *  not destructive · timeout 15 min (a scan of many Secrets) · 2 attempts, 30 s apart */
export const securityAuditJob = defineJob({
  name: 'security.audit',
  title: 'security audit',
  params: z.object({}).strict(),
  destructive: false,
  maintenance: false,
  timeoutMs: () => 15 * MINUTE,
  attempts: 2,
  backoff: { type: 'fixed', delay: 30_000 },
  run: (ctx) =>
    securityAudit(
      { connect: ctx.connect, kube: () => ctx.kube() },
      {
        cluster: ctx.cluster.name,
        endpoints: ctx.cluster.etcd.endpoints,
        metricsUrls: ctx.cluster.etcd.metricsUrls,
        timeoutMs: ctx.config.check.timeout,
        etcdAuth: Boolean(ctx.cluster.etcd.username),
        onProgress: ctx.progress,
      },
    ),
});

export const SECURITY_JOBS = [securityAuditJob];
