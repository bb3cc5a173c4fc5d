/**
 * Alertmanager webhook payloads (version 4) as Alertmanager sends them, and a sender
 * that posts them with the bearer token.
 */
import { createHash } from 'node:crypto';

export interface TestAlert {
  alertname: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  status?: 'firing' | 'resolved';
  startsAt?: string;
}

export function alertPayload(
  group: string,
  alerts: TestAlert[],
  opts: { status?: 'firing' | 'resolved'; truncatedAlerts?: number } = {},
) {
  const full = alerts.map((a) => {
    const labels = { alertname: a.alertname, severity: 'critical', ...a.labels };
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(Object.entries(labels).sort()))
      .digest('hex')
      .slice(0, 16);
    const status = a.status ?? opts.status ?? 'firing';
    return {
      status,
      labels,
      annotations: { summary: `${a.alertname} summary`, ...a.annotations },
      startsAt: a.startsAt ?? '2026-11-27T01:00:00Z',
      endsAt: status === 'resolved' ? '2026-11-27T01:30:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
      fingerprint,
    };
  });
  const status = opts.status ?? (full.some((a) => a.status === 'firing') ? 'firing' : 'resolved');
  const common = full.length === 1 ? (full[0]?.labels ?? {}) : { severity: 'critical' };
  return {
    version: '4',
    groupKey: `{}:{group="${group}"}`,
    truncatedAlerts: opts.truncatedAlerts ?? 0,
    status,
    receiver: 'quorum',
    groupLabels: { group },
    commonLabels: common,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: full,
  };
}

export async function sendAlert(
  base: string,
  body: unknown,
  token: string | undefined,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/alerts/alertmanager`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
  });
  return { status: res.status, text: await res.text() };
}
