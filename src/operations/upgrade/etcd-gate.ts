/**
 * etcd's version against what kubeadm deploys at each hop. `kubeadm upgrade apply` moves
 * a stacked etcd to its own version, so the members are followed hop by hop: a minor
 * step (3.5 → 3.6) needs every member at that step's minimum first, including when an
 * earlier hop leaves etcd below it (kubeadm 1.33 deploys 3.5.24; 3.6 needs 3.5.26).
 */
import type { SemVer } from 'semver';
import type { Finding } from '../../domain/report.js';
import {
  etcdMove,
  expectedEtcd,
  parseEtcdVersion,
  type EtcdMove,
  type ExpectedEtcd,
} from './etcd-versions.js';
import type { UpgradeInventory } from './inventory.js';
import { hopMinor, type UpgradeHop } from './skew-policy.js';

const ID = 'upgrade.gate.etcd-version';
const STEP_ID = 'upgrade.gate.etcd-minor-step';

const versionsText = (vs: readonly SemVer[]) => [...new Set(vs.map((v) => v.version))].join(', ');

function note(e: ExpectedEtcd): string {
  if (e.nearest)
    return ` (${e.kube} is not in Quorum's table: nearest entry taken, needs confirmation)`;
  return e.confirmed ? '' : ` (table entry for ${e.kube} needs confirmation: ${e.source})`;
}

interface HopEtcd {
  hop: UpgradeHop;
  index: number;
  /** Where etcd stands before this hop. */
  current: SemVer[];
  /** The members as read (for names, on the first hop). */
  members: { name: string; v: SemVer }[];
  expected: ExpectedEtcd;
  /** `kubeadm 1.31 deploys etcd 3.5.24`, with a note when the table entry is unconfirmed. */
  at: string;
}

function minorStepFindings(h: HopEtcd, move: Extract<EtcdMove, { kind: 'minor' }>): Finding[] {
  const { hop, at } = h;
  const rule = move.rule;
  const out: Finding[] = [];
  if (rule && move.behind.length) {
    const who =
      h.index === 0
        ? h.members
            .filter((m) => m.v.compare(rule.minimum) < 0)
            .map((m) => `${m.name} runs ${m.v.version}`)
            .join(', ')
        : `the previous hop leaves etcd at ${versionsText(move.behind)}`;
    const goal = rule.recommended ?? rule.minimum;
    out.push({
      id: STEP_ID,
      severity: 'crit',
      title: `etcd must be at ${rule.minimum} or later before it moves to ${rule.to} (at ${hop.to})`,
      detail: `${at}; ${who}. ${rule.why}.`,
      remedy: `Before upgrading to ${hop.to}, move every etcd member to ${goal} or later, one member at a time: on each control-plane node set the image in /etc/kubernetes/manifests/etcd.yaml to registry.k8s.io/etcd:${goal}-0 and wait for \`quorum etcd check\` to pass before the next. Take a snapshot first.`,
    });
  } else if (rule?.recommended && move.belowRecommended.length) {
    out.push({
      id: STEP_ID,
      severity: 'warn',
      title: `etcd ${versionsText(move.belowRecommended)} meets the ${rule.minimum} minimum for ${rule.to}; ${rule.recommended} is now recommended`,
      detail: `${at}. ${rule.why}.`,
      remedy: `Consider moving the members to ${rule.recommended} first (one at a time, checking etcd after each).`,
    });
  }
  const guide = rule
    ? `https://etcd.io/docs/v${rule.to}/upgrades/upgrade_${rule.to.replace('.', '_')}/`
    : 'https://etcd.io/docs/latest/upgrades/';
  out.push({
    id: ID,
    severity: 'info',
    title: `At ${hop.to}, kubeadm moves etcd ${versionsText(h.current)} → ${h.expected.etcd.version} (a minor step)`,
    detail: `${at}. Read ${guide} first.`,
  });
  return out;
}

/** This hop's etcd findings, and where etcd stands after it. */
function hopFindings(h: HopEtcd): { findings: Finding[]; next: SemVer[] } {
  const { hop, at, current } = h;
  const to = h.expected.etcd.version;
  const from = versionsText(current);
  const move = etcdMove(current, h.expected.etcd);
  const one = (severity: Finding['severity'], title: string, more: Partial<Finding> = {}) => [
    { id: ID, severity, title, detail: at, ...more },
  ];
  switch (move.kind) {
    case 'skip':
      return {
        next: current,
        findings: one(
          'crit',
          `etcd ${from} cannot go straight to ${to} at ${hop.to}: etcd moves one minor at a time`,
          {
            id: STEP_ID,
            remedy:
              'Upgrade etcd one minor at a time (each to its newest patch) before this hop, checking `quorum etcd check` after each member.',
          },
        ),
      };
    case 'minor':
      return { next: [h.expected.etcd], findings: minorStepFindings(h, move) };
    case 'patch':
      return {
        next: [h.expected.etcd],
        findings: one('info', `At ${hop.to}, kubeadm moves etcd ${from} → ${to}`),
      };
    case 'newer':
      return {
        next: current,
        findings: one(
          'info',
          `etcd ${from} is newer than the ${to} kubeadm ${h.expected.kube} deploys: kubeadm leaves it`,
        ),
      };
    default:
      return {
        next: current,
        findings: one('ok', `etcd ${from} is what kubeadm ${h.expected.kube} deploys`),
      };
  }
}

export function etcdVersionFindings(inv: UpgradeInventory, hops: readonly UpgradeHop[]): Finding[] {
  const parsed = inv.etcdMembers.map((m) => ({ m, v: parseEtcdVersion(m.version) }));
  const unreadable = parsed.filter((p) => !p.v).map((p) => `${p.m.name}: "${p.m.version}"`);
  const versions = parsed.flatMap((p) => (p.v ? [p.v] : []));
  const out: Finding[] = [];
  if (unreadable.length) {
    out.push({
      id: ID,
      severity: 'warn',
      title: 'Cannot read the version of some etcd members',
      detail: unreadable.join('\n'),
    });
  }
  if (!versions.length) {
    out.push({
      id: ID,
      severity: 'warn',
      title: 'etcd member versions unknown: the etcd upgrade path is unchecked',
      remedy: 'Run `quorum etcd check` and compare the versions with the etcd version of each hop.',
    });
    return out;
  }
  if (new Set(versions.map((v) => v.version)).size > 1) {
    out.push({
      id: `${ID}.mixed`,
      severity: 'warn',
      title: `etcd members run different versions (${versionsText(versions)})`,
      detail: parsed.map((p) => `${p.m.name}: ${p.m.version}`).join('\n'),
      remedy: 'Finish the earlier etcd upgrade first: every member on the same version.',
    });
  }
  if (inv.etcdExternal) {
    const last = hops[hops.length - 1];
    if (last) {
      const e = expectedEtcd(hopMinor(last));
      out.push({
        id: ID,
        severity: 'info',
        title: `External etcd ${versionsText(versions)}: kubeadm does not upgrade it; kubeadm ${e.kube} deploys ${e.etcd.version}${note(e)}`,
      });
    }
    return out;
  }
  let current = versions;
  const members = parsed.flatMap((p) => (p.v ? [{ name: p.m.name, v: p.v }] : []));
  hops.forEach((hop, index) => {
    const expected = expectedEtcd(hopMinor(hop));
    const at = `kubeadm ${expected.kube} deploys etcd ${expected.etcd.version}${note(expected)}`;
    const r = hopFindings({ hop, index, current, members, expected, at });
    out.push(...r.findings);
    current = r.next;
  });
  return out;
}
