import { parse } from 'semver';
import { describe, expect, it } from 'vitest';
import {
  etcdMove,
  expectedEtcd,
  KUBEADM_ETCD,
  parseEtcdVersion,
} from '../../src/operations/upgrade/etcd-versions.js';

const v = (text: string) => parse(text)!;

describe('etcd version kubeadm deploys per Kubernetes minor', () => {
  it('has one entry per minor, in order, each etcd a plain version', () => {
    const minors = KUBEADM_ETCD.map((e) => Number(e.kube.split('.')[1]));
    expect(minors).toEqual([...minors].sort((a, b) => a - b));
    expect(new Set(minors).size).toBe(minors.length);
    for (const e of KUBEADM_ETCD) expect(parse(e.etcd)?.version).toBe(e.etcd);
  });

  it('knows the checked minors and marks the newest as needing confirmation', () => {
    expect(expectedEtcd('1.31.4')).toMatchObject({ kube: '1.31', confirmed: true, nearest: false });
    expect(expectedEtcd('1.33').etcd.version).toBe('3.5.24');
    expect(expectedEtcd('1.34').etcd.major * 100 + expectedEtcd('1.34').etcd.minor).toBe(306);
    expect(expectedEtcd('1.36').confirmed).toBe(false);
  });

  it('falls back to the nearest entry for a minor it does not know, unconfirmed', () => {
    const last = KUBEADM_ETCD[KUBEADM_ETCD.length - 1]!;
    expect(expectedEtcd('1.40.0')).toMatchObject({ nearest: true, confirmed: false });
    expect(expectedEtcd('1.40.0').etcd.version).toBe(last.etcd);
    expect(expectedEtcd('1.20.0').etcd.version).toBe(KUBEADM_ETCD[0]!.etcd);
  });

  it.each([
    ['3.5.16', '3.5.16'],
    ['v3.6.5', '3.6.5'],
    ['3.5.24-0', '3.5.24'], // kubeadm's image revision is not a pre-release
    ['registry.k8s.io/etcd:3.5.16-0', '3.5.16'],
    ['etcd', undefined],
  ])('parses etcd version %s → %s', (text, expected) => {
    expect(parseEtcdVersion(text)?.version).toBe(expected);
  });
});

describe('moving etcd to the version of the target', () => {
  const to36 = v('3.6.5');

  it('3.5 → 3.6 needs every member at 3.5.26 or later first', () => {
    const below = etcdMove([v('3.5.20'), v('3.5.26'), v('3.5.25')], to36);
    expect(below.kind).toBe('minor');
    if (below.kind !== 'minor') return;
    expect(below.behind.map((x) => x.version)).toEqual(['3.5.20', '3.5.25']);
    expect(below.rule?.minimum).toBe('3.5.26');
  });

  it('3.5.26 exactly meets the minimum; 3.5.32 is recommended as a warning', () => {
    const at = etcdMove([v('3.5.26')], to36);
    expect(at).toMatchObject({ kind: 'minor', behind: [] });
    if (at.kind === 'minor') expect(at.belowRecommended.map((x) => x.version)).toEqual(['3.5.26']);
    expect(etcdMove([v('3.5.32')], to36)).toMatchObject({ behind: [], belowRecommended: [] });
  });

  it('refuses to skip an etcd minor', () => {
    expect(etcdMove([v('3.4.30')], to36)).toEqual({ kind: 'skip', minors: 2 });
  });

  it('a patch move, the same version, and a newer etcd', () => {
    expect(etcdMove([v('3.5.16')], v('3.5.24')).kind).toBe('patch');
    expect(etcdMove([v('3.5.24'), v('3.5.16')], v('3.5.24')).kind).toBe('patch');
    expect(etcdMove([v('3.5.24')], v('3.5.24')).kind).toBe('same');
    expect(etcdMove([v('3.5.26')], v('3.5.24')).kind).toBe('newer');
    expect(etcdMove([v('3.6.5')], v('3.5.24')).kind).toBe('newer');
  });
});
