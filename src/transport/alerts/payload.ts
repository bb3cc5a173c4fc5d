/**
 * The Alertmanager webhook payload (version 4), parsed once at the edge. Unknown
 * fields are allowed (Alertmanager adds some over time); what Quorum reads is
 * checked, and a bad payload is answered with the path of the first problems.
 */
import { z } from 'zod';
import type { AlertNotification } from '../../domain/alert.js';
import { describeIssues } from '../queue/job-data.js';

const labels = z.record(z.string(), z.string()).default({});
const url = z.string().max(2_000).optional();

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labels,
  annotations: labels,
  startsAt: z.string().min(1),
  endsAt: z.string().optional(),
  generatorURL: url,
  fingerprint: z.string().min(1).max(200),
});

export const notificationSchema = z.object({
  version: z.literal('4', { error: 'must be "4" (Alertmanager webhook payload version 4)' }),
  receiver: z.string().default(''),
  status: z.enum(['firing', 'resolved']),
  groupKey: z.string().min(1).max(4_000),
  groupLabels: labels,
  commonLabels: labels,
  commonAnnotations: labels,
  externalURL: url,
  truncatedAlerts: z.number().int().min(0).default(0),
  alerts: z.array(alertSchema).max(10_000),
});

export type ParsedNotification =
  { ok: true; notification: AlertNotification } | { ok: false; problem: string };

export function parseNotification(body: unknown): ParsedNotification {
  const r = notificationSchema.safeParse(body);
  if (!r.success) return { ok: false, problem: describeIssues(r.error, 'payload') };
  const { version: _version, ...notification } = r.data;
  return { ok: true, notification };
}
