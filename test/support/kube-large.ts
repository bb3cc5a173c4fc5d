/**
 * A large kubeadm cluster for the Kubernetes API test server: 3 control-plane nodes and
 * `workers` worker nodes (stored), kube-system's static pods, kube-proxy on every node
 * and CoreDNS (stored), and the application pods generated from their index
 * (KubeStore.generate), shaped like real ones (owner, projected token volume, resources,
 * tolerations, status), spread over a fixed number of namespaces and round-robin over
 * the workers. Namespace `team-00000` runs a hostNetwork DaemonSet (one workload with
 * host access, however many pods). Nothing grows in the test process with the pod count.
 */
import * as kube from './kube-objects.js';
import { kubeProxyPod } from './kube-cluster.js';
import type { KubeObject, KubeStore } from './kube-store.js';
import { versionInfo } from './kube-store.js';

export interface LargeClusterSpec {
  workers: number;
  /** All pods, kube-system's included. */
  pods: number;
  /** Application namespaces (fixed, so only the pod count changes between sizes). */
  namespaces?: number;
}

export interface LargeCluster {
  nodes: number;
  pods: number;
  /** `worker-0001`… */
  workerName(i: number): string;
  /** Names of the generated pods on a worker (in key order). */
  podsOn(worker: string): { namespace: string; name: string }[];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const CREATED = '2026-11-01T08:00:00Z';

function appPod(i: number, ns: number, worker: string, hostAgent: boolean): KubeObject {
  const namespace = `team-${pad(ns, 5)}`;
  const set = hostAgent ? 'node-agent' : `web-${pad(ns, 5)}-7c9f8d5b6d`;
  const name = `${set}-${pad(i, 7)}`;
  const image = hostAgent ? 'registry.example.com/agent@sha256:' + 'a'.repeat(64) : 'nginx:1.27.3';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `0000${pad(i, 8)}-3f2b-4f7e-9d0a-0c9b8e7d6f5a`,
      resourceVersion: String(100_000 + i),
      creationTimestamp: CREATED,
      generateName: `${set}-`,
      labels: { app: hostAgent ? 'node-agent' : 'web', 'pod-template-hash': '7c9f8d5b6d' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: hostAgent ? 'DaemonSet' : 'ReplicaSet',
          name: set,
          uid: '6a1c9c4e-3f2b-4f7e-9d0a-0c9b8e7d6f5a',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      nodeName: worker,
      serviceAccountName: 'default',
      containers: [
        {
          name: 'app',
          image,
          imagePullPolicy: 'IfNotPresent',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          resources: {
            requests: { cpu: '100m', memory: '128Mi' },
            limits: { memory: '256Mi' },
          },
          volumeMounts: [
            {
              name: 'kube-api-access-x7k2p',
              readOnly: true,
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
            },
            ...(hostAgent ? [{ name: 'logs', mountPath: '/var/log', readOnly: true }] : []),
          ],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      volumes: [
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              {
                configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
              },
            ],
          },
        },
        ...(hostAgent ? [{ name: 'logs', hostPath: { path: '/var/log', type: '' } }] : []),
      ],
      ...(hostAgent ? { hostNetwork: true } : {}),
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: '10.1.0.1',
      podIP: `10.244.${(i >> 8) & 255}.${i & 255}`,
      startTime: CREATED,
      qosClass: 'Burstable',
      conditions: [
        'PodReadyToStartContainers',
        'Initialized',
        'Ready',
        'ContainersReady',
        'PodScheduled',
      ].map((type) => ({ type, status: 'True', lastTransitionTime: CREATED })),
      containerStatuses: [
        {
          name: 'app',
          image,
          imageID: `docker.io/library/nginx@sha256:${'b'.repeat(64)}`,
          containerID: `containerd://${pad(i, 64)}`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: CREATED } },
        },
      ],
    },
  };
}

/** Seeds `store` (replacing nodes, pods, PDBs and namespaces) with the large cluster. */
export function seedLargeCluster(store: KubeStore, spec: LargeClusterSpec): LargeCluster {
  for (const kind of ['Node', 'Pod', 'PodDisruptionBudget', 'Namespace']) store.clear(kind);
  const workerName = (i: number) => `worker-${pad(i, 4)}`;
  const cps = ['cp-1', 'cp-2', 'cp-3'];
  const workers = Array.from({ length: spec.workers }, (_, i) => workerName(i + 1));
  const nodes = [...cps, ...workers];
  store.add(
    ...cps.map((name, i) =>
      kube.node({ name, roles: ['control-plane'], internalIP: `10.0.0.${11 + i}` }),
    ),
    ...workers.map((name, i) => kube.node({ name, internalIP: `10.1.${i >> 8}.${i & 255}` })),
    ...cps.flatMap((n) => kube.controlPlanePods(n)),
    ...nodes.map((n) => kubeProxyPod(n)),
    ...['coredns-7c65d6cfc9-x2p4l', 'coredns-7c65d6cfc9-q8m3n'].map((name, i) =>
      kube.pod({
        name,
        namespace: 'kube-system',
        node: workers[i] ?? 'cp-1',
        owner: { kind: 'ReplicaSet', name: 'coredns-7c65d6cfc9' },
        labels: { 'k8s-app': 'kube-dns' },
        images: ['registry.k8s.io/coredns/coredns:v1.11.3'],
      }),
    ),
  );
  const stored = store.list('Pod').length;
  const count = Math.max(0, spec.pods - stored);
  const namespaces = spec.namespaces ?? 300;
  const perNs = Math.ceil(count / namespaces);
  const nsOf = (i: number) => Math.floor(i / perNs);
  const workerOf = (i: number) => workerName((i % spec.workers) + 1);
  store.generate('Pod', { count, make: (i) => appPod(i, nsOf(i), workerOf(i), nsOf(i) === 0) });
  store.add(...Array.from({ length: namespaces }, (_, n) => kube.namespace(`team-${pad(n, 5)}`)));
  store.version = versionInfo('v1.31.4');
  return {
    nodes: nodes.length,
    pods: stored + count,
    workerName,
    podsOn: (worker) => {
      const w = Number(worker.slice('worker-'.length)) - 1;
      const out: { namespace: string; name: string }[] = [];
      for (let i = w; i < count; i += spec.workers) {
        const pod = appPod(i, nsOf(i), worker, nsOf(i) === 0);
        out.push({ namespace: pod.metadata.namespace!, name: pod.metadata.name });
      }
      return out;
    },
  };
}
