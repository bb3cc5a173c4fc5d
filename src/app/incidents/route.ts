/** Where an alert goes: its channel (route rules) and the configured cluster it names. */
import type { Config } from '../../config/schema.js';
import type { AlertNotification } from '../../domain/alert.js';

/** The channel of a notification: the first route whose labels all match, else QUORUM_ALERT_CHANNEL. */
export function channelFor(config: Config, labels: Record<string, string>): string | undefined {
  const route = config.alerts.routes.find((r) =>
    Object.entries(r.match).every(([k, v]) => labels[k] === v),
  );
  return route?.channel ?? config.alerts.channel;
}

/** The configured cluster an alert names (its cluster label), else the default one when the label is absent. */
export function clusterOf(config: Config, labels: Record<string, string>): string | undefined {
  const named = labels[config.alerts.clusterLabel];
  if (named !== undefined) return config.clusters.some((c) => c.name === named) ? named : undefined;
  return config.defaultCluster ?? config.clusters[0]?.name;
}

/** A notification's labels: its first alert's, overlaid by the group's and the common ones. */
export const labelsOf = (n: AlertNotification): Record<string, string> => ({
  ...(n.alerts[0]?.labels ?? {}),
  ...n.groupLabels,
  ...n.commonLabels,
});
