/**
 * Builders for what the security audit's networking and service-account phases read,
 * shaped as `kubectl get -o json` shows them: networking.k8s.io/v1 NetworkPolicies (with
 * `policyTypes` as the API server defaults them), core/v1 ServiceAccounts, and pods as the
 * ServiceAccount admission plugin leaves them (`serviceAccountName`, and the projected
 * token volume unless automount is off) — a Deployment's pods owned by its ReplicaSet.
 */
import { pod, type PodSpec } from './kube-objects.js';
import type { KubeObject } from './kube-store.js';

type Selector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

export interface NetworkPolicySpec {
  name: string;
  namespace: string;
  /** `{}` (the default) selects every pod of the namespace. */
  podSelector?: Selector;
  /** Left out: defaulted as the API server does (Ingress, plus Egress with egress rules). */
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: Record<string, unknown>[];
  egress?: Record<string, unknown>[];
}

/** A NetworkPolicy as read back from the API server. */
export function networkPolicy(spec: NetworkPolicySpec): KubeObject {
  const policyTypes = spec.policyTypes ?? ['Ingress', ...(spec.egress?.length ? ['Egress'] : [])];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: spec.name, namespace: spec.namespace, generation: 1 },
    spec: {
      podSelector: spec.podSelector ?? {},
      policyTypes,
      ...(spec.ingress ? { ingress: spec.ingress } : {}),
      ...(spec.egress ? { egress: spec.egress } : {}),
    },
  };
}

/** `default-deny-ingress`: every pod selected, Ingress governed, no rule. */
export const defaultDenyIngress = (namespace: string) =>
  networkPolicy({ name: 'default-deny-ingress', namespace, policyTypes: ['Ingress'] });

/** Allows Ingress to pods labelled `app: <app>` from pods labelled `app: <from>`, on a port. */
export function allowFrom(namespace: string, app: string, from: string, port = 8080): KubeObject {
  return networkPolicy({
    name: `${app}-from-${from}`,
    namespace,
    podSelector: { matchLabels: { app } },
    ingress: [
      {
        from: [{ podSelector: { matchLabels: { app: from } } }],
        ports: [{ protocol: 'TCP', port }],
      },
    ],
  });
}

/** A ServiceAccount; `automount` sets `automountServiceAccountToken` when given. */
export function serviceAccount(namespace: string, name = 'default', automount?: boolean) {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace },
    ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
  } satisfies KubeObject;
}

const TOKEN_VOLUME = 'kube-api-access-9w2ds';

export interface RunAs {
  serviceAccount?: string;
  /** The pod's own `automountServiceAccountToken`, when set. */
  automount?: boolean;
  /** Whether admission mounted the token (default: unless `automount` is false). */
  mounted?: boolean;
}

/** `pod` as admitted: its ServiceAccount named, the projected token volume mounted. */
export function admittedPod(spec: PodSpec, as: RunAs = {}): KubeObject {
  const p = pod(spec);
  const s = p.spec as Record<string, unknown> & { containers: Record<string, unknown>[] };
  const account = as.serviceAccount ?? 'default';
  s.serviceAccountName = account;
  s.serviceAccount = account;
  if (as.automount !== undefined) s.automountServiceAccountToken = as.automount;
  if (as.mounted ?? as.automount !== false) {
    s.volumes = [
      ...((s.volumes as unknown[] | undefined) ?? []),
      {
        name: TOKEN_VOLUME,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          ],
        },
      },
    ];
    for (const c of s.containers) {
      c.volumeMounts = [
        ...((c.volumeMounts as unknown[] | undefined) ?? []),
        {
          name: TOKEN_VOLUME,
          readOnly: true,
          mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        },
      ];
    }
  }
  return p;
}

export interface DeploymentPodsSpec {
  namespace: string;
  /** The Deployment's name; its ReplicaSet is `<name>-<hash>`. */
  name: string;
  labels: Record<string, string>;
  replicas: number;
  hash?: string;
  phase?: string;
  as?: RunAs;
}

/** The pods of a Deployment's current ReplicaSet, labelled with its pod-template-hash. */
export function deploymentPods(spec: DeploymentPodsSpec): KubeObject[] {
  const hash = spec.hash ?? '7c9f8d6b5';
  const suffixes = ['x2p4l', 'q8m3n', 'k7d9z', 'b4t6w', 'r2c8v', 'h5j3s'];
  return Array.from({ length: spec.replicas }, (_, i) =>
    admittedPod(
      {
        name: `${spec.name}-${hash}-${suffixes[i % suffixes.length]}${i >= suffixes.length ? i : ''}`,
        namespace: spec.namespace,
        node: `worker-${(i % 3) + 1}`,
        owner: { kind: 'ReplicaSet', name: `${spec.name}-${hash}` },
        labels: { ...spec.labels, 'pod-template-hash': hash },
        images: [`registry.example.com/${spec.name}:1.4.2`],
        ...(spec.phase ? { phase: spec.phase } : {}),
      },
      spec.as,
    ),
  );
}
