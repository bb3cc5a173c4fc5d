/**
 * A KubeClient that loads @kubernetes/client-node on its first call. The library
 * costs ~0.5 s and ~60 MB to import, which `quorum etcd snapshot` and the other
 * etcd-only commands should not pay. Errors (a bad kubeconfig too) surface at that
 * first call, as they would from the real client.
 */
import type { KubeClient, KubeConnector } from '../operations/kube/client.js';

type Target = Parameters<KubeConnector>[0];

export function lazyKubeConnector(
  load: () => Promise<(target: Target) => KubeClient>,
): KubeConnector {
  return (target) => {
    let real: KubeClient | undefined;
    let loading: Promise<KubeClient> | undefined;
    const client = () => (loading ??= load().then((connect) => (real = connect(target))));
    return new Proxy({} as KubeClient, {
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
