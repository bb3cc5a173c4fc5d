/**
 * kubeadm's control-plane static pods with their real command lines (kubeadm v1.31,
 * `kubeadm init --pod-network-cidr=10.244.0.0/16`): the mirror pods the API shows in
 * kube-system, and the manifest files kubeadm writes to /etc/kubernetes/manifests, in
 * its layout (keys sorted, list items at their key's indentation), so a remedy's sed can
 * be run on a real file and the command read back from it.
 */
import { parse } from 'yaml';
import type { KubeObject } from './kube-store.js';

export type StaticComponent = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler';

/** The command kubeadm writes for a component of a node advertising `ip`. */
export function kubeadmCommand(component: StaticComponent, ip = '10.0.0.11'): string[] {
  if (component === 'kube-apiserver') {
    return [
      'kube-apiserver',
      `--advertise-address=${ip}`,
      '--allow-privileged=true',
      '--authorization-mode=Node,RBAC',
      '--client-ca-file=/etc/kubernetes/pki/ca.crt',
      '--enable-admission-plugins=NodeRestriction',
      '--enable-bootstrap-token-auth=true',
      '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
      '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
      '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
      '--etcd-servers=https://127.0.0.1:2379',
      '--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt',
      '--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key',
      '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
      '--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt',
      '--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key',
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-username-headers=X-Remote-User',
      '--secure-port=6443',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-account-key-file=/etc/kubernetes/pki/sa.pub',
      '--service-account-signing-key-file=/etc/kubernetes/pki/sa.key',
      '--service-cluster-ip-range=10.96.0.0/12',
      '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
      '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
    ];
  }
  if (component === 'kube-controller-manager') {
    return [
      'kube-controller-manager',
      '--allocate-node-cidrs=true',
      '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--bind-address=127.0.0.1',
      '--client-ca-file=/etc/kubernetes/pki/ca.crt',
      '--cluster-cidr=10.244.0.0/16',
      '--cluster-name=kubernetes',
      '--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt',
      '--cluster-signing-key-file=/etc/kubernetes/pki/ca.key',
      '--controllers=*,bootstrapsigner,tokencleaner',
      '--kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--leader-elect=true',
      '--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt',
      '--root-ca-file=/etc/kubernetes/pki/ca.crt',
      '--service-account-private-key-file=/etc/kubernetes/pki/sa.key',
      '--service-cluster-ip-range=10.96.0.0/12',
      '--use-service-account-credentials=true',
    ];
  }
  return [
    'kube-scheduler',
    '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
    '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
    '--bind-address=127.0.0.1',
    '--kubeconfig=/etc/kubernetes/scheduler.conf',
    '--leader-elect=true',
  ];
}

/** The command with flags changed: `{ '--profiling': 'true' }` sets, `null` removes. */
export function withFlags(
  command: readonly string[],
  changes: Record<string, string | null>,
): string[] {
  const out = command.filter((w) => !Object.keys(changes).some((f) => w.split('=')[0] === f));
  for (const [flag, value] of Object.entries(changes))
    if (value !== null) out.push(`${flag}=${value}`);
  return out;
}

export interface StaticPodSpec {
  component: StaticComponent;
  node: string;
  version?: string;
  command?: string[];
}

/** The mirror pod of a kubeadm static pod, as `kubectl get pod -o json` shows it. */
export function staticPod(spec: StaticPodSpec): KubeObject {
  const version = spec.version ?? 'v1.31.4';
  const image = `registry.k8s.io/${spec.component}:${version}`;
  const hash = '5c2e7f1b9a0d4e3f8a6b1c2d3e4f5a6b';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${spec.component}-${spec.node}`,
      namespace: 'kube-system',
      labels: { component: spec.component, tier: 'control-plane' },
      annotations: {
        'kubernetes.io/config.hash': hash,
        'kubernetes.io/config.mirror': hash,
        'kubernetes.io/config.seen': '2026-11-20T09:12:44.118829051Z',
        'kubernetes.io/config.source': 'file',
      },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Node',
          name: spec.node,
          uid: '0b6f3c3e-9a51-4d7e-bb0e-51d8a2a6b0c1',
          controller: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: spec.component,
          image,
          imagePullPolicy: 'IfNotPresent',
          command: spec.command ?? kubeadmCommand(spec.component),
        },
      ],
      hostNetwork: true,
      nodeName: spec.node,
      priority: 2000001000,
      priorityClassName: 'system-node-critical',
      restartPolicy: 'Always',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: spec.component, image, imageID: '', ready: true, restartCount: 0, started: true },
      ],
    },
  };
}

/** kubeadm's host mounts of each component: name, path, readOnly. */
const MOUNTS: Record<StaticComponent, [string, string, boolean][]> = {
  'kube-apiserver': [
    ['ca-certs', '/etc/ssl/certs', true],
    ['etc-ca-certificates', '/etc/ca-certificates', true],
    ['k8s-certs', '/etc/kubernetes/pki', true],
    ['usr-local-share-ca-certificates', '/usr/local/share/ca-certificates', true],
    ['usr-share-ca-certificates', '/usr/share/ca-certificates', true],
  ],
  'kube-controller-manager': [
    ['ca-certs', '/etc/ssl/certs', true],
    ['etc-ca-certificates', '/etc/ca-certificates', true],
    ['flexvolume-dir', '/usr/libexec/kubernetes/kubelet-plugins/volume/exec', false],
    ['k8s-certs', '/etc/kubernetes/pki', true],
    ['kubeconfig', '/etc/kubernetes/controller-manager.conf', true],
  ],
  'kube-scheduler': [['kubeconfig', '/etc/kubernetes/scheduler.conf', true]],
};

const PROBE: Record<StaticComponent, { host: string; port: number; path: string }> = {
  'kube-apiserver': { host: '10.0.0.11', port: 6443, path: '/livez' },
  'kube-controller-manager': { host: '127.0.0.1', port: 10257, path: '/healthz' },
  'kube-scheduler': { host: '127.0.0.1', port: 10259, path: '/livez' },
};

function probe(name: string, c: StaticComponent, path = PROBE[c].path): string[] {
  return [
    `    ${name}:`,
    '      failureThreshold: 8',
    '      httpGet:',
    `        host: ${PROBE[c].host}`,
    `        path: ${path}`,
    `        port: ${PROBE[c].port}`,
    '        scheme: HTTPS',
    '      initialDelaySeconds: 10',
    '      periodSeconds: 10',
    '      timeoutSeconds: 15',
  ];
}

/** /etc/kubernetes/manifests/<component>.yaml as kubeadm v1.31 writes it. */
export function manifestYaml(component: StaticComponent, command: readonly string[]): string {
  const mounts = MOUNTS[component];
  const file = (p: string) => p.endsWith('.conf');
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  creationTimestamp: null',
    '  labels:',
    `    component: ${component}`,
    '    tier: control-plane',
    `  name: ${component}`,
    '  namespace: kube-system',
    'spec:',
    '  containers:',
    '  - command:',
    ...command.map((w) => `    - ${w}`),
    `    image: registry.k8s.io/${component}:v1.31.4`,
    '    imagePullPolicy: IfNotPresent',
    ...probe('livenessProbe', component),
    `    name: ${component}`,
    ...(component === 'kube-apiserver' ? probe('readinessProbe', component, '/readyz') : []),
    '    resources:',
    '      requests:',
    `        cpu: ${component === 'kube-scheduler' ? '100m' : component === 'kube-apiserver' ? '250m' : '200m'}`,
    ...probe('startupProbe', component),
    '    volumeMounts:',
    ...mounts.flatMap(([name, path, ro]) => [
      `    - mountPath: ${path}`,
      `      name: ${name}`,
      ...(ro ? ['      readOnly: true'] : []),
    ]),
    '  hostNetwork: true',
    '  priority: 2000001000',
    '  priorityClassName: system-node-critical',
    '  securityContext:',
    '    seccompProfile:',
    '      type: RuntimeDefault',
    '  volumes:',
    ...mounts.flatMap(([name, path]) => [
      '  - hostPath:',
      `      path: ${path}`,
      `      type: ${file(path) ? 'FileOrCreate' : 'DirectoryOrCreate'}`,
      `    name: ${name}`,
    ]),
    'status: {}',
    '',
  ].join('\n');
}

export interface ManifestPod {
  command: string[];
  mounts: { name: string; mountPath: string; readOnly?: boolean }[];
  volumes: { name: string; hostPath?: { path: string; type?: string } }[];
}

/** A manifest read back (it must still be one valid Pod). */
export function readManifest(text: string): ManifestPod {
  const pod = parse(text) as {
    kind: string;
    spec: {
      containers: { command: string[]; volumeMounts: ManifestPod['mounts'] }[];
      volumes: ManifestPod['volumes'];
    };
  };
  if (pod.kind !== 'Pod' || pod.spec.containers.length !== 1)
    throw new Error('not a one-container Pod');
  const [c] = pod.spec.containers;
  return { command: c!.command, mounts: c!.volumeMounts, volumes: pod.spec.volumes };
}
