/**
 * A remedy that creates objects, as one line to paste: `printf '…' | kubectl apply -f -` of
 * the YAML lines. The lines are quoted for the shell and for printf (`'`, `\` and `%` kept as
 * written), so whatever a name holds, the YAML kubectl reads is the YAML given here.
 */
export function kubectlApplyCommand(lines: readonly string[]): string {
  const format = lines
    .map((l) => l.replace(/\\/g, '\\\\').replace(/%/g, '%%').replace(/'/g, `'\\''`))
    .join('\\n');
  return `printf '${format}\\n' | kubectl apply -f -`;
}
