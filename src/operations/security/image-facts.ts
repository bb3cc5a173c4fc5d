/**
 * The images live pods run, judged container by container (init ones too) as the pod
 * pass goes: a moving tag (`:latest` or none, no digest), a registry outside
 * `security.allowedRegistries` (when set), `imagePullPolicy` IfNotPresent or Never on such
 * a tag (a node keeps whatever it pulled once), a reference the runtime cannot parse.
 * Grouped by workload, like the host-access scan. Every namespace is read, kube-system
 * too: a moving tag there (a CNI, a CSI driver, an ingress controller) matters as much,
 * and what kubeadm runs there — pinned tags from registry.k8s.io — is not flagged.
 * Bounded: per issue the first MAX_WORKLOADS workloads are kept in full (a few containers
 * each), the others as one key each, to be counted — never a pod.
 */
import type { ContainerInfo, ListFold, PodInfo } from '../../domain/kube.js';
import {
  IMAGE_ISSUES,
  type ImageFacts,
  type ImageIssue,
  type ImageIssueFacts,
  type ImageUse,
  type ImageWorkload,
} from '../../domain/security-images.js';
import { isMutable, parseImageRef } from './image-ref.js';
import { isLive, workloadOf } from './network-facts.js';
import { isAllowed, parseAllowList, type RegistryPattern } from './registry-allow-list.js';

/** Workloads kept in full per issue; the rest are counted. */
export const MAX_WORKLOADS = 20;
/** Distinct containers listed per workload; the rest are counted. */
export const MAX_CONTAINERS = 5;

const BIT: Record<ImageIssue, number> = Object.fromEntries(
  IMAGE_ISSUES.map((issue, i) => [issue, 1 << i]),
) as Record<ImageIssue, number>;

interface KeptWorkload extends ImageWorkload {
  podRunning: boolean;
  /** `container=image` of every distinct container seen, listed or not. */
  seen: Set<string>;
}

interface IssueTally {
  kept: Map<string, KeptWorkload>;
  pods: number;
}

/** What the pod pass keeps about images. */
export interface ImageTally {
  podsRead: number;
  livePods: number;
  containers: number;
  podsUnread: number;
  allowedRegistries?: string[];
  issues: Record<ImageIssue, IssueTally>;
  /** Workloads beyond the kept ones, by `namespace/Kind/name`: a bit per issue they have. */
  more: Map<string, number>;
}

export interface ImageFoldOptions {
  /** `security.allowedRegistries`: no registry check when absent. */
  allowedRegistries?: string[];
}

const isStatic = (p: PodInfo) => p.mirror || p.ownerKind === 'Node';

/** A static pod is its own workload: `Node/<node>` would lump a node's static pods together. */
const ownerOf = (p: PodInfo) => (isStatic(p) ? `Pod/${p.name}` : workloadOf(p));

function judge(c: ContainerInfo, allow?: RegistryPattern[]): [ImageIssue, ImageUse][] {
  const use: ImageUse = {
    container: c.name,
    image: c.image,
    ...(c.imagePullPolicy ? { pullPolicy: c.imagePullPolicy } : {}),
  };
  const parsed = parseImageRef(c.image);
  if (!parsed.ref) return [['unparseable', { ...use, reason: parsed.error }]];
  const found: [ImageIssue, ImageUse][] = [];
  const withRegistry = { ...use, registry: parsed.ref.registry };
  if (isMutable(parsed.ref)) {
    found.push(['mutable-tag', withRegistry]);
    if (c.imagePullPolicy === 'IfNotPresent' || c.imagePullPolicy === 'Never')
      found.push(['pull-policy', withRegistry]);
  }
  if (allow && !isAllowed(parsed.ref, allow)) found.push(['registry', withRegistry]);
  return found;
}

function addUse(w: KeptWorkload, use: ImageUse): void {
  const id = `${use.container}=${use.image}`;
  if (w.seen.has(id)) return;
  w.seen.add(id);
  if (w.containers.length < MAX_CONTAINERS) w.containers.push(use);
  else w.moreContainers += 1;
}

function record(tally: ImageTally, issue: ImageIssue, p: PodInfo, uses: ImageUse[]): void {
  const t = tally.issues[issue];
  t.pods += 1;
  const owner = ownerOf(p);
  const key = `${p.namespace}/${owner}`;
  let w = t.kept.get(key);
  if (!w) {
    if (t.kept.size >= MAX_WORKLOADS) {
      tally.more.set(key, (tally.more.get(key) ?? 0) | BIT[issue]);
      return;
    }
    w = {
      namespace: p.namespace,
      owner,
      pods: 0,
      pod: p.name,
      static: isStatic(p),
      containers: [],
      moreContainers: 0,
      podRunning: p.phase === 'Running',
      seen: new Set(),
    };
    t.kept.set(key, w);
  }
  w.pods += 1;
  if (!w.podRunning && p.phase === 'Running') Object.assign(w, { pod: p.name, podRunning: true });
  for (const use of uses) addUse(w, use);
}

function addPod(tally: ImageTally, p: PodInfo, allow?: RegistryPattern[]): void {
  tally.podsRead += 1;
  if (!isLive(p)) return;
  tally.livePods += 1;
  if (!p.containers?.length) {
    tally.podsUnread += 1;
    return;
  }
  tally.containers += p.containers.length;
  const found = new Map<ImageIssue, ImageUse[]>();
  for (const c of p.containers) {
    for (const [issue, use] of judge(c, allow))
      found.set(issue, [...(found.get(issue) ?? []), use]);
  }
  for (const [issue, uses] of found) record(tally, issue, p, uses);
}

/**
 * The pod pass as a fold. A bad allow-list entry is a CONFIG_INVALID error here, before
 * any pod is read.
 */
export function imageFold(options: ImageFoldOptions = {}): ListFold<PodInfo, ImageTally> {
  const list = options.allowedRegistries;
  const allow = list ? parseAllowList(list) : undefined;
  return {
    start: () => ({
      podsRead: 0,
      livePods: 0,
      containers: 0,
      podsUnread: 0,
      ...(list ? { allowedRegistries: [...list] } : {}),
      issues: Object.fromEntries(
        IMAGE_ISSUES.map((issue) => [issue, { kept: new Map(), pods: 0 }]),
      ) as Record<ImageIssue, IssueTally>,
      more: new Map(),
    }),
    add: (tally, p) => addPod(tally, p, allow),
  };
}

const byContainer = (a: ImageUse, b: ImageUse) =>
  a.container.localeCompare(b.container) || a.image.localeCompare(b.image);

function issueFacts(tally: ImageTally, issue: ImageIssue): ImageIssueFacts {
  const t = tally.issues[issue];
  const workloads = [...t.kept.values()]
    .map(({ podRunning: _running, seen: _seen, ...w }) => ({
      ...w,
      containers: [...w.containers].sort(byContainer),
    }))
    .sort((a, b) => `${a.namespace}/${a.owner}`.localeCompare(`${b.namespace}/${b.owner}`));
  let more = 0;
  for (const bits of tally.more.values()) if (bits & BIT[issue]) more += 1;
  return { workloads, totalWorkloads: workloads.length + more, totalPods: t.pods };
}

/** The facts from the pass's tally. */
export function imageFacts(tally: ImageTally): ImageFacts {
  return {
    podsRead: tally.podsRead,
    livePods: tally.livePods,
    containers: tally.containers,
    podsUnread: tally.podsUnread,
    ...(tally.allowedRegistries ? { allowedRegistries: tally.allowedRegistries } : {}),
    issues: Object.fromEntries(
      IMAGE_ISSUES.map((issue) => [issue, issueFacts(tally, issue)]),
    ) as Record<ImageIssue, ImageIssueFacts>,
  };
}
