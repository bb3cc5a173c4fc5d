/**
 * The skew policy applied to an inventory: the target and its hops, HA kube-apiservers,
 * and every component against the kube-apiservers now and once the control plane moves
 * to the first hop's version ("before the upgrade": what must move first).
 */
import type { Finding } from '../../domain/report.js';
import type { UpgradeInventory } from './inventory.js';
import {
  minorsAhead,
  minorText,
  newest,
  tryParseKubeVersion,
  type SemVer,
} from './kube-version.js';
import {
  apiserverSpread,
  kubeadmProblem,
  proxyKubeletBreach,
  skewBreach,
  SKEW_RULES,
  type SkewBreach,
  type SkewRule,
  type UpgradeHop,
} from './skew-policy.js';
import { lines, plural } from './text.js';

/** A version seen somewhere in the cluster. */
export interface Seen {
  where: string;
  raw: string;
  version: SemVer;
}

export interface SkewContext {
  apiservers: Seen[];
  /** The first hop's version (`1.31.x` read as `1.31.0`); undefined when there is no hop. */
  next?: SemVer;
  hops: UpgradeHop[];
  from: SemVer;
}

/** Which versions each rule applies to, read from the inventory. */
export function instancesOf(
  inv: UpgradeInventory,
  rule: SkewRule,
): { seen: Seen[]; unreadable: string[] } {
  const raw: { where: string; raw: string }[] =
    rule.component === 'kubelet'
      ? inv.nodes.map((n) => ({ where: n.name, raw: n.kubeletVersion }))
      : rule.component === 'kube-proxy'
        ? inv.nodes.flatMap((n) =>
            n.kubeProxyVersion ? [{ where: n.name, raw: n.kubeProxyVersion }] : [],
          )
        : rule.component === 'kubectl'
          ? inv.kubectlVersion
            ? [{ where: 'kubectl', raw: inv.kubectlVersion }]
            : []
          : inv.components
              .filter((c) => c.component === rule.component)
              .map((c) => ({ where: c.node, raw: c.version }));
  const seen: Seen[] = [];
  const unreadable: string[] = [];
  for (const r of raw) {
    const version = tryParseKubeVersion(r.raw);
    if (version) seen.push({ ...r, version });
    else unreadable.push(`${r.where}: "${r.raw}"`);
  }
  return { seen, unreadable };
}

function breachLine(s: Seen, b: SkewBreach): string {
  return b.direction === 'newer'
    ? `${s.where}: ${s.raw} is ${plural(b.by, 'minor')} newer than kube-apiserver ${b.against.version} (allowed: ${b.limit})`
    : `${s.where}: ${s.raw} is ${plural(b.by, 'minor')} older than kube-apiserver ${b.against.version} (allowed: ${b.limit})`;
}

function remedyFor(rule: SkewRule, direction: 'newer' | 'older', atLeast: string): string {
  if (direction === 'newer')
    return `A ${rule.component} newer than kube-apiserver is unsupported. Upgrade the control plane first; until it gets there keep these nodes cordoned, or go back to kube-apiserver's version.`;
  if (rule.component === 'kubectl')
    return `Install kubectl ${atLeast} or newer (within one minor of every kube-apiserver) where you run the plan.`;
  if (rule.component === 'kubelet' || rule.component === 'kube-proxy')
    return `Upgrade ${rule.component} on these nodes to ${atLeast} or newer before the control plane moves: drain, install the packages, restart kubelet, uncordon (the node steps of an earlier hop's plan).`;
  return `Bring ${rule.component} on these nodes to ${atLeast} or newer first: finish the earlier control-plane upgrade there (\`sudo kubeadm upgrade node\`).`;
}

function summary(seen: Seen[]): string {
  const counts = new Map<string, number>();
  for (const s of seen) counts.set(s.version.version, (counts.get(s.version.version) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v} × ${n}`).join(', ');
}

interface Breaches {
  older: string[];
  newer: string[];
  /** A newer one the upgrade does not fix (it stays newer than the next hop). */
  newerStays: boolean;
  /** Within policy today, outside once kube-apiserver runs the next hop's version. */
  before: string[];
}

function classify(inv: UpgradeInventory, rule: SkewRule, seen: Seen[], ctx: SkewContext): Breaches {
  const current = ctx.apiservers.map((a) => a.version);
  const out: Breaches = { older: [], newer: [], newerStays: false, before: [] };
  for (const s of seen) {
    const b =
      skewBreach(rule, s.version, current) ??
      (rule.component === 'kube-proxy' ? kubeletBeside(inv, s) : undefined);
    if (b) {
      out[b.direction].push(breachLine(s, b));
      if (
        b.direction === 'newer' &&
        !(ctx.next && minorsAhead(s.version, ctx.next) <= rule.maxNewer)
      )
        out.newerStays = true;
      continue;
    }
    const after = ctx.next ? skewBreach(rule, s.version, [...current, ctx.next]) : undefined;
    if (after?.direction === 'older') out.before.push(breachLine(s, after));
  }
  return out;
}

/** One rule: breaches now (older, newer), breaches once the control plane moves, or an ok. */
export function ruleFindings(inv: UpgradeInventory, rule: SkewRule, ctx: SkewContext): Finding[] {
  const { seen, unreadable } = instancesOf(inv, rule);
  const id = `upgrade.skew.${rule.component}`;
  const out: Finding[] = [];
  if (unreadable.length) {
    out.push({
      id: `${id}.unreadable`,
      severity: 'warn',
      title: `Cannot read the ${rule.component} version of ${plural(unreadable.length, 'instance')}`,
      detail: lines(unreadable),
      remedy: 'Check those versions by hand against the skew policy.',
    });
  }
  if (seen.length === 0) return out;
  const b = classify(inv, rule, seen, ctx);
  const on = (n: number) => (rule.component === 'kubectl' ? '' : ` on ${plural(n, 'node')}`);
  const atLeast = (v: SemVer) => `${v.major}.${v.minor - rule.maxOlder(v)}`;
  const high = newest(ctx.apiservers.map((a) => a.version)) ?? ctx.from;
  const outside = (
    items: string[],
    severity: Finding['severity'],
    direction: 'newer' | 'older',
  ) => ({
    id,
    severity,
    title: `${rule.component}${on(items.length)} is ${direction} than the version skew policy allows`,
    detail: `${rule.component} ${rule.policy}.\n${lines(items)}`,
    remedy: remedyFor(rule, direction, atLeast(high)),
  });
  if (b.older.length) out.push(outside(b.older, rule.severity, 'older'));
  // Newer than today's apiserver but not than the next hop's: the upgrade itself fixes it.
  if (b.newer.length) out.push(outside(b.newer, b.newerStays ? rule.severity : 'warn', 'newer'));
  if (b.before.length && ctx.next) {
    const n = ctx.next;
    out.push({
      id: `${id}.before-upgrade`,
      severity: rule.severity,
      title: `${rule.component} must be upgraded before the control plane moves to ${minorText(n)}${on(b.before.length)}`,
      detail: `Once kube-apiserver runs ${minorText(n)}:\n${lines(b.before)}`,
      remedy: remedyFor(rule, 'older', atLeast(n)),
    });
  }
  if (!b.older.length && !b.newer.length && !b.before.length)
    out.push({
      id,
      severity: 'ok',
      title: `${rule.component} within the skew policy`,
      detail: summary(seen),
    });
  return out;
}

function kubeletBeside(inv: UpgradeInventory, proxy: Seen): SkewBreach | undefined {
  const node = inv.nodes.find((n) => n.name === proxy.where);
  const kubelet = node ? tryParseKubeVersion(node.kubeletVersion) : undefined;
  return kubelet ? proxyKubeletBreach(proxy.version, kubelet) : undefined;
}

export function apiserverFindings(ctx: SkewContext): Finding[] {
  const list = ctx.apiservers.map((a) => `${a.where}: ${a.raw}`);
  const spread = apiserverSpread(ctx.apiservers.map((a) => a.version));
  if (spread !== undefined) {
    return [
      {
        id: 'upgrade.skew.kube-apiserver',
        severity: 'crit',
        title: `kube-apiservers are ${spread} minors apart (at most 1 allowed)`,
        detail: lines(list),
        remedy:
          'Finish the interrupted control-plane upgrade first: bring the control-plane nodes that are behind to the same minor (`sudo kubeadm upgrade node` with the matching kubeadm), then run this check again.',
      },
    ];
  }
  const distinct = new Set(ctx.apiservers.map((a) => a.version.version));
  const pods = ctx.apiservers.filter((a) => a.where !== '/version').length;
  return [
    distinct.size > 1
      ? {
          id: 'upgrade.skew.kube-apiserver',
          severity: 'warn',
          title: 'kube-apiservers run different versions: an upgrade seems unfinished',
          detail: lines(list),
          remedy: `This plan starts from the oldest, ${ctx.from.version}. Finish the earlier upgrade first if you can.`,
        }
      : {
          id: 'upgrade.skew.kube-apiserver',
          severity: 'ok',
          title: `kube-apiserver ${ctx.from.version} (${pods ? plural(pods, 'instance') : 'from /version; no kube-apiserver pod found'})`,
        },
  ];
}

export function kubeadmFindings(inv: UpgradeInventory, ctx: SkewContext): Finding[] {
  const hop = ctx.hops[0];
  if (!hop || !ctx.next) return [];
  const id = 'upgrade.skew.kubeadm';
  const kubeadm = inv.kubeadmVersion ? tryParseKubeVersion(inv.kubeadmVersion) : undefined;
  if (!kubeadm) {
    return [
      {
        id,
        severity: 'info',
        title: `kubeadm version ${inv.kubeadmVersion ? `"${inv.kubeadmVersion}" unreadable` : 'unknown'}: the plan installs ${hop.to} first`,
      },
    ];
  }
  const problem = kubeadmProblem(kubeadm, ctx.next);
  if (!problem)
    return [{ id, severity: 'ok', title: `kubeadm ${kubeadm.version} can upgrade to ${hop.to}` }];
  return [
    {
      id,
      severity: 'warn',
      title:
        problem === 'older'
          ? `kubeadm ${kubeadm.version} is older than the target ${hop.to}`
          : `kubeadm ${kubeadm.version} cannot deploy ${hop.to}: it deploys its own minor and the one before`,
      detail: 'kubeadm must be at least the version it upgrades to.',
      remedy: `Install kubeadm ${hop.to} first: the plan's "Upgrade kubeadm" step does it (apt-get needs --allow-downgrades to go back).`,
    },
  ];
}

export function componentFindings(inv: UpgradeInventory, ctx: SkewContext): Finding[] {
  return SKEW_RULES.flatMap((rule) => ruleFindings(inv, rule, ctx));
}
