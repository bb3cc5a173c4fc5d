/**
 * What changed since the last security audit: findings matched by id and subject, fixed
 * (also when one became ok or info), new, still open (a warn that became crit is still
 * open), unchecked when its part could not look — and the one line the terminal and Slack
 * open with.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../src/domain/report.js';
import type { SecurityAuditReport } from '../../src/domain/security.js';
import { auditProgress, progressLine, runToKeep } from '../../src/operations/security/progress.js';
import { securityAuditMessage } from '../../src/render/block-kit/security-audit.js';
import { renderSecurityAuditText } from '../../src/render/terminal/security-audit.js';

const f = (id: string, severity: Severity, subject?: string): Finding => ({
  id,
  severity,
  title: `${id}${subject ? ` ${subject}` : ''} is ${severity}`,
  detail: 'detail that is not kept',
  ...(subject !== undefined ? { subject } : {}),
});
const ids = (fs: readonly Finding[]) => fs.map((x) => `${x.id}${x.subject ? `/${x.subject}` : ''}`);
const SINCE = '2026-11-28T23:30:00.000+01:00';

describe('auditProgress', () => {
  const before = {
    finishedAt: SINCE,
    findings: [
      f('security.psa', 'warn', 'shop'),
      f('security.psa', 'warn', 'payments'),
      f('security.rbac.cluster-admin', 'warn'),
      f('security.encryption.weak', 'warn'),
      f('security.etcd.https', 'crit'),
      f('security.etcd.metrics', 'info'),
      f('security.pods.host-access', 'ok'),
    ],
  };
  const now = [
    f('security.psa', 'warn', 'payments'),
    f('security.psa', 'warn', 'default'),
    f('security.rbac.cluster-admin', 'ok'),
    f('security.encryption.weak', 'crit'),
    f('security.etcd.metrics', 'warn'),
    f('security.pods.host-access', 'ok'),
  ];

  it('matches by id and subject: fixed (gone, or ok now), new (also info → warn), still open (warn → crit too)', () => {
    const p = auditProgress(before, now);
    expect(p.since).toBe(SINCE);
    expect(ids(p.fixed)).toEqual([
      'security.psa/shop',
      'security.rbac.cluster-admin',
      'security.etcd.https',
    ]);
    expect(ids(p.opened)).toEqual(['security.psa/default', 'security.etcd.metrics']);
    // security.psa/payments, and security.encryption.weak whose severity rose.
    expect(p.stillOpen).toBe(2);
    expect(p.unchecked).toEqual([]);
    expect(progressLine(p)).toBe('3 fixed since 2026-11-28 · 2 new · 2 still open');
  });

  it('says the date in UTC, and keeps only id, subject, severity and title', () => {
    const p = auditProgress({ finishedAt: '2026-11-28T23:30:00.000-05:00', findings: [] }, now);
    expect(progressLine(p)).toBe('0 fixed since 2026-11-29 · 4 new · 0 still open');
    expect(p.opened[0]).toEqual({
      id: 'security.psa',
      severity: 'warn',
      title: 'security.psa payments is warn',
      subject: 'payments',
    });
  });

  it('on the first audit on record, nothing is new or fixed: it says how many are open', () => {
    const p = auditProgress(undefined, now);
    expect(p).toEqual({ fixed: [], opened: [], stillOpen: 4, unchecked: [] });
    expect(progressLine(p)).toBe('first audit on record: 4 open');
  });

  it('counts two findings with the same id and subject as two', () => {
    const twice = { finishedAt: SINCE, findings: [f('x', 'warn'), f('x', 'warn')] };
    expect(progressLine(auditProgress(twice, [f('x', 'warn')]))).toBe(
      '1 fixed since 2026-11-28 · 0 new · 1 still open',
    );
    expect(
      progressLine(auditProgress({ ...twice, findings: [] }, [f('x', 'crit'), f('x', 'warn')])),
    ).toBe('0 fixed since 2026-11-28 · 2 new · 0 still open');
  });

  it('a finding its part could not check this time is unchecked, not fixed, and kept for next time', () => {
    const blind = [
      f('security.access.unchecked', 'warn'),
      f('security.encryption.weak', 'warn'),
      f('security.etcd.https', 'ok'),
    ];
    const p = auditProgress(before, blind);
    // RBAC and PSA were not read: unknown. etcd https was read and is ok now: fixed.
    expect(ids(p.unchecked)).toEqual([
      'security.psa/shop',
      'security.psa/payments',
      'security.rbac.cluster-admin',
    ]);
    expect(ids(p.fixed)).toEqual(['security.etcd.https']);
    expect(ids(p.opened)).toEqual(['security.access.unchecked']);
    expect(progressLine(p)).toBe('1 fixed since 2026-11-28 · 1 new · 1 still open · 3 unchecked');
    const keep = runToKeep('2026-12-05T06:00:00.000Z', blind, p);
    expect(ids(keep.findings)).toEqual([
      'security.access.unchecked',
      'security.encryption.weak',
      'security.psa/shop',
      'security.psa/payments',
      'security.rbac.cluster-admin',
    ]);
    // Next week the API answers and shop is labelled: shop fixed, payments and the admin still open.
    const next = auditProgress(keep, [
      f('security.psa', 'warn', 'payments'),
      f('security.rbac.cluster-admin', 'warn'),
      f('security.encryption.weak', 'warn'),
    ]);
    expect(progressLine(next)).toBe('2 fixed since 2026-12-05 · 0 new · 3 still open');
  });

  it('an unchecked part leaves only its own findings unknown: the others that went are fixed', () => {
    const last = {
      finishedAt: SINCE,
      findings: [
        f('security.apiserver.profiling', 'warn', 'kube-system/kube-apiserver-cp1 --profiling'),
        f('security.scheduler.profiling', 'warn', 'kube-system/kube-scheduler-cp1 --profiling'),
        f('security.images.mutable-tag', 'warn', 'shop/Deployment/web'),
      ],
    };
    // The scheduler's pod was not found this time; the images were read and are pinned now.
    const p = auditProgress(last, [
      f('security.control-plane.unchecked', 'warn', 'kube-scheduler'),
      f('security.images.mutable-tag', 'ok'),
    ]);
    expect(ids(p.unchecked)).toEqual([
      'security.scheduler.profiling/kube-system/kube-scheduler-cp1 --profiling',
    ]);
    expect(ids(p.fixed)).toEqual([
      'security.apiserver.profiling/kube-system/kube-apiserver-cp1 --profiling',
      'security.images.mutable-tag/shop/Deployment/web',
    ]);
  });
});

function report(progress?: ReturnType<typeof auditProgress>): SecurityAuditReport {
  return {
    kind: 'security.audit',
    cluster: 'prod',
    startedAt: '2026-12-05T06:00:00.000Z',
    finishedAt: '2026-12-05T06:00:05.000Z',
    findings: [f('security.psa', 'warn', 'default'), f('security.encryption.weak', 'crit')],
    data: { etcd: { endpoints: [] }, fixFirst: [], ...(progress ? { progress } : {}) },
  };
}

describe('where the progress shows', () => {
  const before = {
    finishedAt: SINCE,
    findings: [f('security.rbac.cluster-admin', 'warn'), f('security.encryption.weak', 'warn')],
  };
  const p = auditProgress(before, report().findings);
  const LINE = '1 fixed since 2026-11-28 · 1 new · 1 still open';

  it('the terminal report starts with the line, then what was fixed and what is new', () => {
    const text = renderSecurityAuditText(report(p));
    expect(text.split('\n').slice(0, 4)).toEqual([
      LINE,
      '  fixed:     security.rbac.cluster-admin is warn',
      '  new:       security.psa default is warn',
      '',
    ]);
    expect(text.split('\n')[4]).toMatch(/^✖ security audit of prod: /);
    expect(renderSecurityAuditText(report())).toMatch(/^✖ security audit of prod: /);
  });

  it('the Slack message leads with it after the header, and its notification text carries it', () => {
    const message = securityAuditMessage(report(p));
    expect(message.text).toMatch(
      /^security audit of prod: .* — 1 fixed since 2026-11-28 · 1 new · 1 still open$/,
    );
    const [head, lead] = message.blocks as { type: string; text?: { text: string } }[];
    expect(head?.type).toBe('header');
    expect(lead?.text?.text.split('\n')).toEqual([
      `*${LINE}*`,
      '*Fixed*',
      '• security.rbac.cluster-admin is warn',
      '*New*',
      '• security.psa default is warn',
    ]);
    const plain = securityAuditMessage(report());
    expect(plain.text).not.toContain('since');
    expect(plain.blocks).toHaveLength(message.blocks.length - 1);
  });
});
