/**
 * The security audit's job kind (see catalogue.ts for the contract comment format).
 * The handler only translates: the cluster's config → the operation's input.
 */
import { z } from 'zod';
import { auditWithProgress } from '../../app/security/audit-progress.js';
import { auditInputFor } from '../../app/security/audit-input.js';
import { securityAudit } from '../../operations/security/audit.js';
import { defineJob } from './job-kind.js';

const MINUTE = 60_000;

/** name security.audit · params {} · effect: reads only — the keys under /registry/secrets/ (each
 *  value's first bytes, dropped at once: no Secret value reaches the report, a log or Slack),
 *  how etcd answers a client without credentials; RBAC, namespaces, NetworkPolicies, default
 *  ServiceAccounts and pods (one paged pass), and kube-system's control-plane pods through the API ·
 *  not destructive · timeout 15 min (a scan of many Secrets) · 2 attempts, 30 s apart ·
 *  result: the report, with data.progress since the cluster's last audit (kept in Redis once
 *  per job: a retry compares with what its first attempt compared with) */
export const securityAuditJob = defineJob({
  name: 'security.audit',
  title: 'security audit',
  params: z.object({}).strict(),
  destructive: false,
  maintenance: false,
  timeoutMs: () => 15 * MINUTE,
  attempts: 2,
  backoff: { type: 'fixed', delay: 30_000 },
  run: async (ctx) => {
    const report = await securityAudit(
      { connect: ctx.connect, kube: () => ctx.kube() },
      auditInputFor(ctx.config, ctx.cluster, { onProgress: ctx.progress }),
    );
    return ctx.securityHistory ? auditWithProgress(ctx.securityHistory, ctx.jobId, report) : report;
  },
});

export const SECURITY_JOBS = [securityAuditJob];
