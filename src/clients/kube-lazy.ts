/**
 * Kubernetes clients that load @kubernetes/client-node on their first call. The library
 * costs ~0.5 s and ~60 MB to import, which `quorum etcd snapshot` and the other
 * etcd-only commands should not pay. Errors (a bad kubeconfig too) surface at that
 * first call, as they would from the real client. Any client whose members are `server`
 * and async methods can be made lazy this way: the KubeClient, the BackupClient.
 */
import type { BackupClient, BackupConnector } from '../operations/backup/client.js';
import type { KubeClient, KubeConnector } from '../operations/kube/client.js';

type Target = Parameters<KubeConnector>[0];

export function lazyConnector<C extends { readonly server: string }>(
  load: () => Promise<(target: Target) => C>,
): (target: Target) => C {
  return (target) => {
    let real: C | undefined;
    let loading: Promise<C> | undefined;
    const client = () => (loading ??= load().then((connect) => (real = connect(target))));
    return new Proxy({} as C, {
      get(_, prop) {
        if (prop === 'server') return real?.server ?? 'the Kubernetes API server';
        if (typeof prop !== 'string' || prop === 'then') return undefined;
        return async (...args: unknown[]) => {
          const c = (await client()) as unknown as Record<string, (...a: unknown[]) => unknown>;
          return c[prop]?.(...args);
        };
      },
    });
  };
}

export function lazyKubeConnector(
  load: () => Promise<(target: Target) => KubeClient>,
): KubeConnector {
  return lazyConnector(load);
}

export function lazyBackupConnector(
  load: () => Promise<(target: Target) => BackupClient>,
): BackupConnector {
  return lazyConnector(load);
}
