/**
 * A little of what a Kubernetes cluster keeps in etcd, so snapshots, checks and
 * defragmentation have something to show: namespaces, config maps, leases, and
 * events written over a few times (history for compaction and defrag to free).
 */
import { Etcd3 } from 'etcd3';

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'payments', 'web'];

export async function seedEtcd(endpoints: string[]): Promise<number> {
  const client = new Etcd3({ hosts: endpoints });
  let keys = 0;
  const put = async (key: string, value: unknown) => {
    await client.put(key).value(JSON.stringify(value));
    keys += 1;
  };
  try {
    for (const ns of NAMESPACES) {
      await put(`/registry/namespaces/${ns}`, { kind: 'Namespace', metadata: { name: ns } });
      for (let i = 0; i < 8; i++) {
        const name = `${ns}-config-${i}`;
        await put(`/registry/configmaps/${ns}/${name}`, {
          kind: 'ConfigMap',
          metadata: { name, namespace: ns },
          data: { 'settings.yaml': 'x'.repeat(1024) },
        });
      }
    }
    for (const node of ['cp-1', 'cp-2', 'cp-3', 'worker-1', 'worker-2']) {
      await put(`/registry/minions/${node}`, { kind: 'Node', metadata: { name: node } });
      await put(`/registry/leases/kube-node-lease/${node}`, { kind: 'Lease', renewTime: 0 });
    }
    // Events are rewritten often in a real cluster: old revisions pile up.
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          put(`/registry/events/web/web-${i}.event`, {
            kind: 'Event',
            reason: 'Pulled',
            count: round + 1,
            message: 'y'.repeat(2048),
          }),
        ),
      );
    }
  } finally {
    client.close();
  }
  return keys;
}
