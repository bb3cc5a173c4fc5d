/**
 * Findings about the images pods run, from image-facts.ts: one warning per workload (its
 * `subject` is `namespace/Kind/name`, so runs can be compared) for a moving tag, a registry
 * outside `security.allowedRegistries`, IfNotPresent/Never on a moving tag and a reference
 * the runtime cannot parse; past the first MAX_WORKLOADS of an issue, one finding counts
 * the rest. Pinning remedies read the digest the node runs (image-remedy.ts).
 */
import type { Finding } from '../../domain/report.js';
import type {
  ImageFacts,
  ImageIssue,
  ImageIssueFacts,
  ImageUse,
  ImageWorkload,
} from '../../domain/security-images.js';
import { listSome } from '../kube/report.js';
import { parseImageRef } from './image-ref.js';
import { IMAGE_COUNT_COMMAND, MUTABLE_IMAGE_COUNT_COMMAND, pinLines } from './image-remedy.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const subjectOf = (w: ImageWorkload) => `${w.namespace}/${w.owner}`;

/** `nginx (no tag: latest)` when the tag is not written. */
const shown = (image: string) =>
  parseImageRef(image).ref?.tagDefaulted ? `${image} (no tag: latest)` : image;
const images = (w: ImageWorkload) => [...new Set(w.containers.map((c) => shown(c.image)))];

function containerLines(w: ImageWorkload, line: (u: ImageUse) => string): string {
  const lines = w.containers.map(line);
  if (w.moreContainers) lines.push(`… and ${plural(w.moreContainers, 'more container')}`);
  return lines.join('\n');
}

const useLine = (u: ImageUse) =>
  `${u.container}: ${shown(u.image)}${u.pullPolicy ? ` (imagePullPolicy ${u.pullPolicy})` : ''}`;

function mutableTag(w: ImageWorkload): Finding {
  return {
    id: 'security.images.mutable-tag',
    severity: 'warn',
    subject: subjectOf(w),
    title: `${subjectOf(w)} runs ${listSome(images(w), 3)}: a tag that can name another image tomorrow (${plural(w.pods, 'pod')})`,
    detail: `${containerLines(w, useLine)}\nWhatever was pushed last under that tag is what a node pulls: pods started at different times or on different nodes can run different code, and a restart can bring an image nobody reviewed.`,
    remedy: `Pin each to the digest its pod runs now (read from the pod's status; the workload then rolls out on the same image):\n${pinLines(w, w.containers).join('\n')}`,
  };
}

function pullPolicy(w: ImageWorkload): Finding {
  const policies = [...new Set(w.containers.map((c) => c.pullPolicy ?? ''))].join(' and ');
  return {
    id: 'security.images.pull-policy',
    severity: 'warn',
    subject: subjectOf(w),
    title: `${subjectOf(w)}: imagePullPolicy ${policies} on ${listSome(images(w), 3)} (${plural(w.pods, 'pod')})`,
    detail: `${containerLines(w, useLine)}\nA node that pulled the tag once keeps starting that copy however old it is (Never: whatever is on the node), while a node that pulls now gets today's: the pods of one workload can run different images.`,
    remedy: `Pin the digest (the pull policy then no longer matters):\n${pinLines(w, w.containers).join('\n')}\nOr, keeping the tag, set imagePullPolicy: Always on these containers.`,
  };
}

function registry(w: ImageWorkload, allowed: readonly string[]): Finding {
  const registries = [...new Set(w.containers.map((c) => c.registry ?? ''))];
  return {
    id: 'security.images.registry',
    severity: 'warn',
    subject: subjectOf(w),
    title: `${subjectOf(w)} pulls from ${listSome(registries, 3)}, not an allowed registry (${plural(w.pods, 'pod')})`,
    detail: `${containerLines(w, (u) => `${u.container}: ${u.image} (from ${u.registry ?? '?'})`)}\nsecurity.allowedRegistries: ${allowed.join(', ')}.`,
    remedy: `Copy the image into an allowed registry and point ${w.owner} at the copy; if ${listSome(registries, 3)} is trusted, add it to security.allowedRegistries instead.`,
  };
}

function unparseable(w: ImageWorkload): Finding {
  return {
    id: 'security.images.unparseable',
    severity: 'warn',
    subject: subjectOf(w),
    title: `${subjectOf(w)}: ${listSome(
      w.containers.map((c) => `"${c.image}"`),
      3,
    )} is no valid image reference — not checked`,
    detail: `${containerLines(w, (u) => `${u.container}: "${u.image}": ${u.reason ?? 'not parsed'}`)}\nThe runtime refuses it too: the container cannot start (InvalidImageName).`,
    remedy: `See what the node says: \`kubectl describe pod ${w.pod} -n ${w.namespace}\`; then write the image as registry/repository:tag@digest, lower-case, in ${w.owner}'s spec.`,
  };
}

const OVERFLOW: Record<ImageIssue, { what: string; command: string }> = {
  'mutable-tag': { what: 'run images on a moving tag', command: MUTABLE_IMAGE_COUNT_COMMAND },
  'pull-policy': {
    what: 'pull a moving tag only when absent',
    command: MUTABLE_IMAGE_COUNT_COMMAND,
  },
  registry: { what: 'pull from registries not allowed', command: IMAGE_COUNT_COMMAND },
  unparseable: { what: 'name images that are no valid reference', command: IMAGE_COUNT_COMMAND },
};

/** One finding for the workloads past the listed ones: how many, and how to see them all. */
function overflow(issue: ImageIssue, f: ImageIssueFacts): Finding[] {
  const more = f.totalWorkloads - f.workloads.length;
  if (more <= 0) return [];
  const listedPods = f.workloads.reduce((sum, w) => sum + w.pods, 0);
  return [
    {
      id: `security.images.${issue}`,
      severity: 'warn',
      title: `… and ${plural(more, 'more workload')} (${plural(f.totalPods - listedPods, 'pod')}) ${OVERFLOW[issue].what}`,
      detail: `${f.workloads.length} are listed one by one; ${plural(f.totalWorkloads, 'workload')} in all.`,
      remedy: `Fix the listed ones and run the audit again to see the next, or count the images the pods run: \`${OVERFLOW[issue].command}\``,
    },
  ];
}

function okFinding(id: string, title: string, facts: ImageFacts): Finding[] {
  if (!facts.containers) return [];
  const read = `${plural(facts.containers, 'container')} of ${plural(facts.livePods, 'live pod')} read`;
  return [{ id, severity: 'ok', title: `${title} (${read})` }];
}

function unchecked(detail: string | undefined, title: string): Finding {
  return {
    id: 'security.images.unchecked',
    severity: 'warn',
    title,
    detail,
    remedy: "The audit needs list on pods in every namespace; the Helm chart's ClusterRole has it.",
  };
}

/** The image findings; `facts` undefined (with `error`) when the pod pass failed. */
export function imageFindings(facts: ImageFacts | undefined, error: string | undefined): Finding[] {
  if (!facts) return [unchecked(error, 'Images not checked: the pods could not be read')];
  const { issues, allowedRegistries } = facts;
  const out: Finding[] = [];
  if (facts.podsUnread)
    out.push(
      unchecked(
        `The listing gave no containers for them; the other ${plural(facts.livePods - facts.podsUnread, 'live pod')} were checked.`,
        `Images of ${plural(facts.podsUnread, 'live pod')} not checked`,
      ),
    );
  const mutable = issues['mutable-tag'];
  out.push(...mutable.workloads.map(mutableTag), ...overflow('mutable-tag', mutable));
  if (!mutable.totalWorkloads)
    out.push(
      ...okFinding(
        'security.images.mutable-tag',
        'Every image is pinned by a tag other than latest, or by digest',
        facts,
      ),
    );
  const pull = issues['pull-policy'];
  out.push(...pull.workloads.map(pullPolicy), ...overflow('pull-policy', pull));
  if (allowedRegistries) {
    const reg = issues.registry;
    out.push(
      ...reg.workloads.map((w) => registry(w, allowedRegistries)),
      ...overflow('registry', reg),
    );
    if (!reg.totalWorkloads)
      out.push(
        ...okFinding(
          'security.images.registry',
          `Every image comes from ${listSome(allowedRegistries, 4)}`,
          facts,
        ),
      );
  }
  const bad = issues.unparseable;
  out.push(...bad.workloads.map(unparseable), ...overflow('unparseable', bad));
  return out;
}
