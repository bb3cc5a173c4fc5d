/**
 * Which Alertmanager a group's silences go to, and how to reach it: the alert's route
 * (the first matching, as for its channel) when it names one, else the alert's cluster's, else the top
 * level (`alertmanager`, QUORUM_ALERTMANAGER_URL). The most specific block brings its
 * whole http config (credentials, TLS); its url defaults to the top level's. No url
 * anywhere: no silences from the thread.
 */
import type { AlertmanagerHttpConfig, Config } from '../../config/schema.js';
import type { AlertmanagerTarget } from '../../domain/silence.js';
import { clusterOf } from './route.js';

export function alertmanagerFor(
  config: Config,
  labels: Record<string, string>,
): AlertmanagerTarget | undefined {
  const route = config.alerts.routes.find((r) =>
    Object.entries(r.match).every(([k, v]) => labels[k] === v),
  );
  const cluster = config.clusters.find((c) => c.name === clusterOf(config, labels));
  const top = config.alertmanager;
  const block: AlertmanagerHttpConfig = route?.alertmanager ?? cluster?.alertmanager ?? top;
  const url = block.url ?? top.url;
  if (!url) return undefined;
  const bearerToken = block.authorization?.credentials ?? block.bearerToken;
  const tls = block.tlsConfig;
  return {
    url,
    timeoutMs: top.timeout,
    ...(bearerToken ? { bearerToken } : {}),
    ...(block.basicAuth ? { basicAuth: block.basicAuth } : {}),
    ...(tls ? { tls } : {}),
  };
}
