/**
 * Remedy commands for image findings, each one line that runs as pasted in sh, bash or
 * zsh. Pinning reads the digest the pod's node actually runs from the pod's status
 * (`imageID`, e.g. `docker.io/library/nginx@sha256:…`), and only when it holds one sets
 * `<name as written>@sha256:…` on the workload with `kubectl set image` — else it prints
 * what it found and changes nothing. Names in them are Kubernetes names and image
 * references, which need no quoting.
 */
import type { ImageUse, ImageWorkload } from '../../domain/security-images.js';
import { parseImageRef } from './image-ref.js';

/** The kinds `kubectl set image` changes, by the workload's Kind. */
const SET_IMAGE: Record<string, string> = {
  Deployment: 'deployment',
  DaemonSet: 'daemonset',
  StatefulSet: 'statefulset',
  ReplicaSet: 'replicaset',
  Pod: 'pod',
};

const ownerKind = (w: ImageWorkload) => w.owner.slice(0, w.owner.indexOf('/'));
const ownerName = (w: ImageWorkload) => w.owner.slice(w.owner.indexOf('/') + 1);

/** Prints the image (with digest) the node runs for one container of the pod. */
export function digestCommand(w: ImageWorkload, container: string): string {
  const status = (field: string) => `{.status.${field}[?(@.name=="${container}")].imageID}`;
  return `kubectl get pod ${w.pod} -n ${w.namespace} -o jsonpath='${status('initContainerStatuses')}${status('containerStatuses')}'`;
}

/** The `kubectl set image` target, or undefined when the API object is not where to pin it. */
function setImageTarget(w: ImageWorkload): string | undefined {
  const resource = w.static ? undefined : SET_IMAGE[ownerKind(w)];
  return resource && `${resource}/${ownerName(w)}`;
}

/** Reads the digest and pins the container to it; undefined when `kubectl set image` cannot. */
export function pinCommand(w: ImageWorkload, use: ImageUse): string | undefined {
  const target = setImageTarget(w);
  const name = parseImageRef(use.image).ref?.name;
  if (!target || !name) return undefined;
  return (
    `id=$(${digestCommand(w, use.container)}) && case "$id" in ` +
    `*@sha256:*) kubectl set image ${target} -n ${w.namespace} ${use.container}="${name}@\${id#*@}" ;; ` +
    `*) echo "no digest in ${w.pod}'s status for ${use.container}: $id" ;; esac`
  );
}

/** Where to write the pinned image when `kubectl set image` is not the way. */
export function pinElsewhere(w: ImageWorkload): string {
  if (w.static)
    return `${w.pod} is a static pod: write the pinned image in its manifest on node's staticPodPath (kubeadm: /etc/kubernetes/manifests/), and the kubelet restarts it.`;
  return `${w.owner} is managed by its own controller (or its template cannot change): write the pinned image where ${w.owner}'s spec comes from.`;
}

/** Pin lines for the listed containers of a workload, one command or instruction each. */
export function pinLines(w: ImageWorkload, uses: readonly ImageUse[]): string[] {
  return uses.map((use) => {
    const pin = pinCommand(w, use);
    if (pin) return `\`${pin}\``;
    return `${pinElsewhere(w)} The digest its node runs for ${use.container}: \`${digestCommand(w, use.container)}\``;
  });
}

/** Every image the cluster's pods run (init containers too), with how many containers run it. */
export const IMAGE_COUNT_COMMAND =
  "kubectl get pods -A -o jsonpath='{.items[*].spec.initContainers[*].image} {.items[*].spec.containers[*].image}' | tr ' ' '\\n' | grep . | sort | uniq -c | sort -rn";

/** The same, only images on a moving tag: no digest, and `:latest` or no tag. */
export const MUTABLE_IMAGE_COUNT_COMMAND =
  "kubectl get pods -A -o jsonpath='{.items[*].spec.initContainers[*].image} {.items[*].spec.containers[*].image}' | tr ' ' '\\n' | grep -v '@' | grep -E ':latest$|^[^:]+$|:[0-9]+/[^:]+$' | sort | uniq -c | sort -rn";
