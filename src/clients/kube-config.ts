/**
 * The KubeConfig for one cluster: the cluster's `kubeconfig` file (and optional
 * `context`), else kubectl's rules as client-node's `loadFromDefault()` applies them
 * (KUBECONFIG, then ~/.kube/config, then the in-cluster service account), but read
 * from the given environment and without its silent http://localhost:8080 fallback.
 * Checked once here, so a missing context or server fails with the file's name
 * instead of deep in a call.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { QuorumError, describeError } from '../domain/errors.js';

/** The cluster config's Kubernetes keys (clusterSchema `kubeconfig`, `context`). */
export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** kubectl's order: KUBECONFIG (first file's current-context wins), ~/.kube/config, in-cluster. */
function loadDefault(kc: KubeConfig, env: NodeJS.ProcessEnv): boolean {
  const [first, ...rest] = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  const home = path.join(os.homedir(), '.kube', 'config');
  if (first) {
    kc.loadFromFile(first);
    for (const file of rest) {
      const other = new KubeConfig();
      other.loadFromFile(file);
      kc.mergeConfig(other, true);
    }
  } else if (existsSync(home)) kc.loadFromFile(home);
  else if (env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) kc.loadFromCluster();
  else return false;
  return true;
}

function load(target: KubeTarget, env: NodeJS.ProcessEnv): { kc: KubeConfig; source: string } {
  const kc = new KubeConfig();
  const source = target.kubeconfig ?? env.KUBECONFIG ?? 'the default kubeconfig';
  try {
    if (target.kubeconfig) kc.loadFromFile(target.kubeconfig);
    else if (!loadDefault(kc, env))
      throw new QuorumError(
        'KUBECONFIG_INVALID',
        'No kubeconfig found: no kubeconfig key, no KUBECONFIG, no ~/.kube/config and no in-cluster service account.',
        "Set the cluster's `kubeconfig` key (e.g. /etc/kubernetes/admin.conf) or KUBECONFIG.",
      );
  } catch (err) {
    if (err instanceof QuorumError) throw err;
    throw new QuorumError(
      'KUBECONFIG_INVALID',
      `Cannot read the kubeconfig ${source}: ${describeError(err)}.`,
      "Check the cluster's `kubeconfig` key (or KUBECONFIG) and the file's permissions; `kubectl --kubeconfig <file> config view` shows what kubectl reads.",
      { cause: err },
    );
  }
  return { kc, source };
}

function selectContext(kc: KubeConfig, context: string, source: string): void {
  if (!kc.getContextObject(context)) {
    const known = kc
      .getContexts()
      .map((c) => c.name)
      .join(', ');
    throw new QuorumError(
      'KUBECONFIG_INVALID',
      `The kubeconfig ${source} has no context "${context}".`,
      `Use one of: ${known || '(none)'} — \`kubectl --kubeconfig ${source} config get-contexts\`.`,
    );
  }
  kc.setCurrentContext(context);
}

function checkServer(kc: KubeConfig, source: string): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new QuorumError(
      'KUBECONFIG_INVALID',
      `The kubeconfig ${source} names no cluster server for context "${kc.getCurrentContext()}".`,
      "Set current-context, or the cluster's `context` key, to a context whose cluster has a `server: https://…`.",
    );
  }
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new QuorumError(
      'KUBECONFIG_INVALID',
      `The kubeconfig ${source} points at a plain-HTTP server (${cluster.server}), which the Kubernetes client refuses.`,
      'Use the https:// address of kube-apiserver with its CA (certificate-authority-data).',
    );
  }
  return cluster.server.replace(/\/+$/, '');
}

/** A checked KubeConfig and its API server URL. */
export function loadKubeConfig(
  target: KubeTarget,
  env: NodeJS.ProcessEnv = process.env,
): { kc: KubeConfig; server: string } {
  const { kc, source } = load(target, env);
  if (target.context) selectContext(kc, target.context, source);
  return { kc, server: checkServer(kc, source) };
}
