/**
 * An Alertmanager notification (webhook payload version 4) as Quorum uses it, after
 * transport/alerts/payload.ts has parsed and checked it.
 */
export interface Alert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
  /** Alertmanager's identity of the alert (its label set's hash). */
  fingerprint: string;
}

export interface AlertNotification {
  receiver: string;
  status: 'firing' | 'resolved';
  /** One thread per group: Alertmanager's key for it. */
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL?: string;
  /** Alerts left out of this notification because of max_alerts. */
  truncatedAlerts: number;
  alerts: Alert[];
}

/** The alert's name, or a stand-in that says it has none. */
export const alertName = (a: { labels: Record<string, string> }) =>
  a.labels.alertname ?? '(no alertname)';
