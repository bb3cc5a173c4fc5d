/**
 * One control-plane pod's flags as the rules see them (which component, which pod and
 * node, the parsed command line), the edits a rule asks for (set a flag, add files and
 * mounts), and the finding that names the flag, the pod and the manifest line to change,
 * with the `sed -i` that changes it as pasted on the node.
 */
import type { Finding, Severity } from '../../domain/report.js';
import type { ComponentCommand } from './component-flags.js';
import {
  addAfter,
  addMounts,
  changeText,
  manifestPath,
  replaceFlag,
  sedLine,
  type HostMount,
} from './manifest-sed.js';

export const FLAG_COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
] as const;
export type FlagComponent = (typeof FLAG_COMPONENTS)[number];

/** The finding ids' middle part, and the kubeadm ClusterConfiguration section of each. */
export const COMPONENT_KEY: Record<FlagComponent, { id: string; kubeadm: string }> = {
  'kube-apiserver': { id: 'apiserver', kubeadm: 'apiServer' },
  'kube-controller-manager': { id: 'controller-manager', kubeadm: 'controllerManager' },
  'kube-scheduler': { id: 'scheduler', kubeadm: 'scheduler' },
};

export interface FlagTarget {
  component: FlagComponent;
  /** `kube-system/kube-apiserver-cp1`. */
  pod: string;
  node?: string;
  /** The image tag, e.g. `v1.31.4`. */
  version?: string;
  cmd: ComponentCommand;
}

/** A change to the manifest: in words, and as sed expressions (none when it cannot be given). */
export interface Edit {
  say: string;
  sed: string[];
  /** Shell lines to run first (write a config file). */
  before?: string[];
}

/** The word new list items go after: the binary, else the first one-word flag. */
function anchorOf(t: FlagTarget): string | undefined {
  if (t.cmd.binary !== undefined) return t.cmd.binary;
  return [...t.cmd.flags.values()].find((f) => f.words.length === 1)?.words[0];
}

/** Adds list items to the command line (and mounts), or says to when there is no anchor. */
export function addEdit(t: FlagTarget, items: string[], mounts: HostMount[] = []): Edit {
  const anchor = anchorOf(t);
  const say = `add ${items.map((i) => `\`- ${i}\``).join(', ')} to the command`;
  if (anchor === undefined) return { say, sed: [] };
  const mountSay = mounts.length
    ? `, and mount ${mounts.map((m) => m.path).join(' and ')} from the node`
    : '';
  return {
    say: `${say}${mountSay}`,
    sed: [addAfter(anchor, items), ...addMounts(mounts)],
  };
}

/** Sets `--name=value`: the flag's line changed when it is there, else added. */
export function setFlag(t: FlagTarget, name: string, value: string): Edit {
  const next = `--${name}=${value}`;
  const flag = t.cmd.flags.get(name);
  if (!flag) return addEdit(t, [next]);
  return { say: changeText(flag, next), sed: [replaceFlag(flag, next)] };
}

const podName = (t: FlagTarget) => t.pod.replace(/^[^/]*\//, '');

/** The remedy: where, what, the pasteable lines, and how to keep it across `kubeadm upgrade`. */
export function editRemedy(t: FlagTarget, edit: Edit, extra: string[] = []): string {
  const file = manifestPath(t.component);
  const where = t.node ? `On ${t.node}` : `On the node of ${podName(t)}`;
  const lines = [`${where}, in ${file}, ${edit.say}:`];
  if (edit.sed.length) {
    lines.push(
      `sudo cp -n ${file} /root/${t.component}.yaml.orig   # the original, outside the manifests directory: the kubelet runs every file in it`,
      ...(edit.before ?? []),
      sedLine(edit.sed, file),
      `The kubelet restarts ${podName(t)} from the changed file within a minute; run the audit again.`,
    );
  } else {
    lines.push(
      ...(edit.before ?? []),
      `Edit ${file} by hand; the kubelet restarts the pod from it.`,
    );
  }
  lines.push(
    ...extra,
    `Put the same in the kubeadm ClusterConfiguration (${COMPONENT_KEY[t.component].kubeadm}: extraArgs, extraVolumes; kubectl -n kube-system edit configmap kubeadm-config), or the next \`kubeadm upgrade\` writes the manifest without it.`,
  );
  return lines.join('\n');
}

export interface FlagFindingSpec {
  /** The rule's last part: `profiling` → `security.apiserver.profiling`. */
  rule: string;
  severity: Severity;
  /** The flag it is about, without dashes: the subject's second word. */
  flag: string;
  title: string;
  detail?: string;
  /** Without one, `remedy` must be given. */
  edit?: Edit;
  remedy?: string;
  /** Lines before the edit. */
  intro?: string[];
  /** Lines after the edit. */
  extra?: string[];
}

/** A finding about one flag of one pod, `subject` = `<pod> --<flag>`. */
export function flagFinding(t: FlagTarget, spec: FlagFindingSpec): Finding {
  const remedy =
    spec.remedy ??
    (spec.edit
      ? [...(spec.intro ?? []), editRemedy(t, spec.edit, spec.extra)].join('\n')
      : undefined);
  return {
    id: `security.${COMPONENT_KEY[t.component].id}.${spec.rule}`,
    severity: spec.severity,
    title: `${podName(t)}: ${spec.title}`,
    ...(spec.detail ? { detail: spec.detail } : {}),
    ...(remedy ? { remedy } : {}),
    subject: `${t.pod} --${spec.flag}`,
  };
}

/** `kube-apiserver 1.32` and later: the minor version from the image tag, when it tells. */
export function minorVersion(t: FlagTarget): number | undefined {
  const m = /^v?1\.(\d+)(?:\.|$)/.exec(t.version ?? '');
  return m ? Number(m[1]) : undefined;
}
