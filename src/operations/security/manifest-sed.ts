/**
 * `sed -i` one-liners that change a kubeadm static pod manifest as pasted on its
 * control-plane node (GNU sed, as every Linux node has): replace a flag's line, delete
 * it, add lines after the command's first word, add a hostPath volume and its mount.
 * They match the list items kubeadm writes (`    - --profiling=true`) at any indentation
 * and keep it; every value is escaped for the regex, the replacement and the shell.
 */
import type { ComponentFlag } from './component-flags.js';

export const MANIFEST_DIR = '/etc/kubernetes/manifests';

export const manifestPath = (component: string) => `${MANIFEST_DIR}/${component}.yaml`;

/** A literal for a basic regex delimited by `|`. */
const re = (text: string) => text.replace(/[\\.*[\]^$|]/g, (c) => `\\${c}`);
/** A literal for a replacement delimited by `|` (lines joined by sed's `\n`). */
const rep = (text: string) => text.replace(/[\\&|]/g, (c) => `\\${c}`);
/** One shell word in single quotes. */
export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The manifest line(s) of a flag as a regex: one list item, or two for `--name value`. */
function flagLines(flag: ComponentFlag): string {
  return flag.words.map((w) => `^ *- ${re(w)}$`).join('\\n');
}

/** Replaces the flag's line(s) with `--name=value`, keeping the indentation. */
export function replaceFlag(flag: ComponentFlag, next: string): string {
  const [first, second] = flag.words;
  if (second === undefined) return `s|^\\( *- \\)${re(first as string)}$|\\1${rep(next)}|`;
  return `\\|^ *- ${re(first as string)}$|{N;s|^\\( *- \\)${re(first as string)}\\n *- ${re(second)}$|\\1${rep(next)}|}`;
}

/** Deletes the flag's line(s). */
export function deleteFlag(flag: ComponentFlag): string {
  const [first, second] = flag.words;
  const line = `\\|^ *- ${re(first as string)}$|`;
  return second === undefined ? `${line}d` : `${line}{N;\\|${flagLines(flag)}|d}`;
}

/** Adds list items after the item `anchor` (the binary, e.g. `kube-apiserver`), indented alike. */
export function addAfter(anchor: string, items: readonly string[]): string {
  const added = items.map((item) => `\\n\\1${rep(item)}`).join('');
  return `s|^\\( *- \\)${re(anchor)}$|&${added}|`;
}

export interface HostMount {
  /** Volume name; unique in the pod. */
  name: string;
  /** The directory on the node, mounted at the same path in the container. */
  path: string;
  readOnly: boolean;
}

/**
 * `DirectoryOrCreate` hostPath volumes and their mounts in the (only) container, in the
 * layout kubeadm writes (`    volumeMounts:` / `    - mountPath:`, `  volumes:` / `  - hostPath:`).
 * One expression per key: once sed has added lines after `volumes:`, `^…volumes:$` no
 * longer matches that pattern space, so a second expression would add nothing.
 */
export function addMounts(mounts: readonly HostMount[]): string[] {
  if (!mounts.length) return [];
  const mountLines = mounts.flatMap((m) => [
    `- mountPath: ${m.path}`,
    `  name: ${m.name}`,
    `  readOnly: ${m.readOnly}`,
  ]);
  const volumeLines = mounts.flatMap((m) => [
    '- hostPath:',
    `    path: ${m.path}`,
    '    type: DirectoryOrCreate',
    `  name: ${m.name}`,
  ]);
  const after = (key: string, lines: string[]) =>
    `s|^\\( *\\)${key}:$|&${lines.map((l) => `\\n\\1${rep(l)}`).join('')}|`;
  return [after('volumeMounts', mountLines), after('volumes', volumeLines)];
}

/** `sudo sed -i -e '…' -e '…' FILE`: one line, as pasted on the node. */
export function sedLine(expressions: readonly string[], file: string): string {
  return `sudo sed -i ${expressions.map((e) => `-e ${shellQuote(e)}`).join(' ')} ${file}`;
}

/** The flag's list item(s) as the manifest shows them: `- --profiling=true`. */
export const itemText = (flag: ComponentFlag) => flag.words.map((w) => `\`- ${w}\``).join(' and ');

/** `change \`- --profiling=true\` to \`- --profiling=false\``: the edit in words. */
export const changeText = (flag: ComponentFlag, next: string) =>
  `change ${itemText(flag)} to \`- ${next}\``;
