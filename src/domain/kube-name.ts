/**
 * Kubernetes names as the API server checks them: a namespace is a DNS-1123 label —
 * at most 63 characters, lower-case letters, digits and '-', starting and ending with a
 * letter or digit. Checked at the edge so a typo is answered before anything is asked.
 */

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** What is wrong with `name` as a DNS-1123 label (`has upper-case letters`), or undefined. */
export function dns1123LabelProblem(name: string): string | undefined {
  if (DNS1123_LABEL.test(name)) return undefined;
  if (name.length === 0) return 'it is empty';
  if (name.length > 63) return `it is ${name.length} characters long; at most 63 are allowed`;
  const others = [...new Set(name.replace(/[-a-z0-9]/g, ''))];
  if (others.length > 0) {
    const shown = others.map((c) => (/\s/.test(c) ? 'a space' : `"${c}"`)).join(', ');
    const upper = others.some((c) => c !== c.toLowerCase());
    return `${shown} ${others.length === 1 ? 'is' : 'are'} not allowed${upper ? ' (names are lower-case)' : ''}`;
  }
  return 'it must start and end with a letter or digit';
}
