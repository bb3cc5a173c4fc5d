/**
 * What the security audit observes about the images pods run: workloads on a moving tag
 * (`:latest` or none, no digest), from registries outside the allow-list, pulling such a
 * tag only when absent from the node, or naming an image the runtime cannot parse. Names
 * and counts only, kept per workload and capped, so renderers and tests read it.
 */

/** The issues an image can have, one finding id each (`security.images.<issue>`). */
export const IMAGE_ISSUES = ['mutable-tag', 'registry', 'pull-policy', 'unparseable'] as const;
export type ImageIssue = (typeof IMAGE_ISSUES)[number];

/** One container of a workload with the issue, as the spec writes it. */
export interface ImageUse {
  container: string;
  image: string;
  /** `imagePullPolicy` when the spec sets it. */
  pullPolicy?: string;
  /** The registry the image is pulled from (absent when unparseable). */
  registry?: string;
  /** Why the runtime cannot parse the reference (unparseable only). */
  reason?: string;
}

/** A workload whose live pods show the issue. */
export interface ImageWorkload {
  namespace: string;
  /** `Deployment/web`, `StatefulSet/pg`, `DaemonSet/x`; `Pod/name` for a bare or static pod. */
  owner: string;
  /** Live pods of it with the issue. */
  pods: number;
  /** One of those pods (a Running one when there is one): its node says which digest it runs. */
  pod: string;
  /** A static pod's mirror: its spec is a manifest file on the node, not an API object. */
  static: boolean;
  /** Distinct containers with the issue, by name then image; at most a few. */
  containers: ImageUse[];
  /** Distinct containers with the issue not listed. */
  moreContainers: number;
}

/** One issue across the cluster: the first workloads in full, counts for the rest. */
export interface ImageIssueFacts {
  /** The first workloads met with it (list order), sorted by `namespace/owner`. */
  workloads: ImageWorkload[];
  /** Every workload with it, listed or not. */
  totalWorkloads: number;
  /** Every live pod with it. */
  totalPods: number;
}

export interface ImageFacts {
  /** Pods read, live or not. */
  podsRead: number;
  /** Running or Pending pods, whose containers were judged. */
  livePods: number;
  /** Containers (init and regular) of the live pods. */
  containers: number;
  /** Live pods whose containers the listing did not give: not checked. */
  podsUnread: number;
  /** `security.allowedRegistries`, when set. */
  allowedRegistries?: string[];
  issues: Record<ImageIssue, ImageIssueFacts>;
}
