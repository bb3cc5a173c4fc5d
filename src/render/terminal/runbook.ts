/** Runbooks for the terminal: `quorum runbook list` and `quorum runbook show ID`. */
import type { Runbook } from '../../domain/runbook.js';

export function renderRunbookList(runbooks: readonly Runbook[]): string {
  const width = Math.max(...runbooks.map((r) => r.id.length), 2);
  const lines = runbooks.map((r) => {
    const alerts = r.match.alertnames.length ? `  (alerts: ${r.match.alertnames.join(', ')})` : '';
    return `${r.id.padEnd(width)}  ${r.title}${alerts}`;
  });
  return `${lines.join('\n')}\n`;
}

const KIND: Record<Runbook['steps'][number]['kind'], string> = {
  diagnose: 'diagnose (runs at once; changes nothing in the cluster)',
  action: 'action (waits for approval)',
  manual: 'manual (ticked off with Done)',
};

export function renderRunbook(r: Runbook): string {
  const out = [`${r.title}  [${r.id}]`];
  if (r.description) out.push('', r.description.trim());
  if (r.match.alertnames.length) out.push('', `Alerts: ${r.match.alertnames.join(', ')}`);
  const labels = Object.entries(r.match.labels);
  if (labels.length) out.push(`Labels: ${labels.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const params = Object.entries(r.params);
  if (params.length) {
    out.push('', 'Parameters:');
    for (const [name, p] of params)
      out.push(
        `  ${name}  from label ${p.from.join(' or ') || '(none: give it)'}${p.required ? '' : ' (optional)'}`,
      );
  }
  out.push('', 'Steps:');
  r.steps.forEach((s, i) => {
    out.push(`  ${i + 1}. [${s.phase}] ${s.title} — ${KIND[s.kind]}`);
    if (s.kind !== 'manual') {
      const args = Object.entries(s.with).map(([k, v]) => `${k}=${String(v)}`);
      out.push(`     job: ${s.job}${args.length ? ` ${args.join(' ')}` : ''}`);
    } else for (const c of s.commands) out.push(`     $ ${c}`);
  });
  return `${out.join('\n')}\n`;
}
