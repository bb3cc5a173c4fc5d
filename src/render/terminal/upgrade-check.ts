/** `upgrade check` for the terminal: go / no-go, findings by severity, then each hop's numbered plan. */
import type { Report } from '../../domain/report.js';
import { findingsText, headline, SIGN } from './text.js';

/** The part of operations/upgrade/precheck.ts's UpgradeCheckReport this renderer reads. */
export interface UpgradePlanView {
  from: string;
  to: string;
  steps: {
    title: string;
    node?: string;
    on: 'node' | 'admin';
    commands: string[];
  }[];
}

export type UpgradeCheckView = Report<{
  verdict: 'go' | 'no-go';
  from: string;
  to: string;
  hops: { from: string; to: string }[];
  plans: UpgradePlanView[];
  etcd: { members: string[]; target: string; confirmed: boolean };
}>;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function verdictLine(report: UpgradeCheckView): string {
  if (report.couldNotRun) return headline(report, 'upgrade check');
  const { verdict, to } = report.data;
  const crit = report.findings.filter((f) => f.severity === 'crit').length;
  const warn = report.findings.filter((f) => f.severity === 'warn').length;
  const counts = [crit ? `${crit} critical` : '', warn ? plural(warn, 'warning') : '']
    .filter(Boolean)
    .join(', ');
  const sign = crit ? SIGN.crit : warn ? SIGN.warn : SIGN.ok;
  const word = verdict === 'go' ? 'GO' : 'NO-GO';
  return `${sign} upgrade check of ${report.cluster} to ${to}: ${word}${counts ? ` (${counts})` : ''}`;
}

function summaryLine(report: UpgradeCheckView): string {
  const { from, to, hops, etcd } = report.data;
  const members = [...new Set(etcd.members)].join(', ') || 'unknown';
  const etcdText = `etcd ${members} now, ${etcd.target} with kubeadm ${to.split('.').slice(0, 2).join('.')}${etcd.confirmed ? '' : ' (needs confirmation)'}`;
  return `${from} → ${to} · ${plural(hops.length, 'hop')} · ${etcdText}`;
}

const where = (s: UpgradePlanView['steps'][number]) =>
  s.on === 'node' && s.node ? `on ${s.node}` : 'from an admin machine';

/** One hop's plan: numbered steps, where each runs, and its commands indented below. */
export function planText(plan: UpgradePlanView, label: string): string {
  const width = String(plan.steps.length).length;
  const lines = [label];
  plan.steps.forEach((step, i) => {
    lines.push(`${String(i + 1).padStart(width + 1)}. ${step.title}  [${where(step)}]`);
    for (const c of step.commands) lines.push(`${' '.repeat(width + 5)}${c}`);
  });
  return lines.join('\n');
}

export function renderUpgradeCheckText(report: UpgradeCheckView): string {
  const head = [verdictLine(report)];
  if (report.couldNotRun) return [...head, ''].join('\n');
  const { plans, verdict } = report.data;
  const plansText = plans.map((p, i) =>
    planText(
      p,
      `PLAN${plans.length > 1 ? ` ${i + 1} OF ${plans.length}` : ''}: ${p.from} → ${p.to}${verdict === 'no-go' ? '  (fix the critical findings first)' : ''}`,
    ),
  );
  const later =
    plans.length > 1
      ? ['Run this check again before each hop: it checks the cluster as it is now.', '']
      : [];
  return [
    ...head,
    summaryLine(report),
    '',
    findingsText(report.findings),
    '',
    ...plansText.flatMap((t) => [t, '']),
    ...later,
  ].join('\n');
}
