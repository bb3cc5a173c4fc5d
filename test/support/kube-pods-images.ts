/**
 * Pods for the images phase of the security audit, built on kube-objects.ts's `pod`:
 * named containers (and init containers) with their image as written, `imagePullPolicy`
 * defaulted as the real API server does on create (Always for `:latest` or no tag, else
 * IfNotPresent — written here independently of src/), and statuses whose `imageID` is the
 * digest the runtime reports. A Deployment's pods belong to its ReplicaSet
 * `<deployment>-<hash>` and carry the `pod-template-hash` label, as on a real cluster.
 */
import { pod, type PodSpec } from './kube-objects.js';
import type { KubeObject } from './kube-store.js';

export interface ImageContainer {
  name: string;
  image: string;
  /** As written in the spec; the API server's default when left out. */
  imagePullPolicy?: string;
}

export interface ImagePodSpec extends Omit<PodSpec, 'images' | 'owner'> {
  containers: ImageContainer[];
  initContainers?: ImageContainer[];
  /** The pod is `deployment`'s, through its ReplicaSet `<deployment>-<TEMPLATE_HASH>`. */
  deployment?: string;
  owner?: { kind: string; name: string };
}

export const TEMPLATE_HASH = '7d4b9c8f6f';
const RUN_DIGEST = `sha256:${'4c'.repeat(32)}`;

/** The API server's default: Always when the tag is `latest` or absent (and no digest). */
export function defaultPullPolicy(image: string): string {
  const [name = '', digest] = image.split('@');
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  return tag === 'latest' || (tag === undefined && digest === undefined)
    ? 'Always'
    : 'IfNotPresent';
}

function container(c: ImageContainer) {
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: c.imagePullPolicy ?? defaultPullPolicy(c.image),
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

/** What containerd reports: the repository it pulled from, with the digest it resolved. */
function status(c: ImageContainer, running: boolean) {
  const repo = c.image.split('@')[0]!.replace(/:[^:/]+$/, '');
  return {
    name: c.name,
    image: c.image,
    imageID: `${repo}@${RUN_DIGEST}`,
    ready: running,
    restartCount: 0,
    started: running,
  };
}

/** A Pod with these containers, owned by `deployment`'s ReplicaSet when given. */
export function imagePod(spec: ImagePodSpec): KubeObject {
  const { containers, initContainers = [], deployment, ...rest } = spec;
  const owner = deployment
    ? { kind: 'ReplicaSet', name: `${deployment}-${TEMPLATE_HASH}` }
    : spec.owner;
  const labels = {
    ...(deployment ? { app: deployment, 'pod-template-hash': TEMPLATE_HASH } : {}),
    ...spec.labels,
  };
  const base = pod({ ...rest, ...(owner ? { owner } : {}), labels });
  const running = (spec.phase ?? 'Running') === 'Running';
  const podSpec = base.spec as Record<string, unknown>;
  podSpec.containers = containers.map(container);
  if (initContainers.length) podSpec.initContainers = initContainers.map(container);
  const podStatus = base.status as Record<string, unknown>;
  podStatus.containerStatuses = containers.map((c) => status(c, running));
  if (initContainers.length)
    podStatus.initContainerStatuses = initContainers.map((c) => status(c, false));
  return base;
}

/** `n` pods of one Deployment, named as its ReplicaSet names them. */
export function deploymentPods(
  deployment: string,
  n: number,
  containers: ImageContainer[],
  namespace = 'default',
): KubeObject[] {
  const suffixes = ['x2k9p', 'b7q4m', 'r8t5n', 'h3w6v', 'z9c2d', 'k4f7g'];
  return Array.from({ length: n }, (_, i) =>
    imagePod({
      name: `${deployment}-${TEMPLATE_HASH}-${suffixes[i % suffixes.length]}${i >= suffixes.length ? i : ''}`,
      namespace,
      node: `worker-${(i % 3) + 1}`,
      deployment,
      containers,
    }),
  );
}
