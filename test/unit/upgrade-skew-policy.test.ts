import { describe, expect, it } from 'vitest';
import { isQuorumError } from '../../src/domain/errors.js';
import {
  apiserverSpread,
  kubeadmProblem,
  parseKubeVersion,
  proxyKubeletBreach,
  skewBreach,
  skewRule,
  tryParseKubeVersion,
  upgradeHops,
  type SkewComponent,
} from '../../src/operations/upgrade/skew-policy.js';

const v = (text: string) => parseKubeVersion(text);
const vs = (...texts: string[]) => texts.map(v);

/** `ok`, or `newer 1/0` / `older 4/3`: direction, by, limit. */
function verdict(component: SkewComponent, version: string, apiservers: string[]): string {
  const b = skewBreach(skewRule(component), v(version), vs(...apiservers));
  return b ? `${b.direction} ${b.by}/${b.limit}` : 'ok';
}

describe('version parsing', () => {
  it.each([
    ['v1.31.4', '1.31.4'],
    ['1.31.4', '1.31.4'],
    ['v1.31.4+k3s1', '1.31.4'],
    ['1.32.0-rc.1', '1.32.0-rc.1'],
    ['registry.k8s.io/kube-apiserver:v1.31.4', '1.31.4'],
    ['registry.example:5000/k8s/kube-apiserver:v1.31.4@sha256:abcdef', '1.31.4'],
    ['kube-scheduler:v1.30.2', '1.30.2'],
  ])('%s → %s', (text, expected) => {
    expect(tryParseKubeVersion(text)?.version).toBe(expected);
  });

  it.each(['registry.k8s.io/kube-apiserver', 'banana', '', '1.31', 'v1.31.4.5'])(
    '%j is not a version',
    (text) => expect(tryParseKubeVersion(text)).toBeUndefined(),
  );

  it('rejects a bad target with a USAGE error naming the value and an example', () => {
    let err: unknown;
    try {
      parseKubeVersion('one-thirty', 'target version');
    } catch (e) {
      err = e;
    }
    expect(isQuorumError(err) && err.code).toBe('USAGE');
    expect((err as Error).message).toContain('"one-thirty"');
    expect((err as Error).message).toContain('v1.31.4');
  });

  it('asks for the patch when only a minor is given, and says where to find the latest', () => {
    expect(() => parseKubeVersion('v1.31')).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        hint: expect.stringContaining('https://dl.k8s.io/release/stable-1.31.txt'),
      }),
    );
  });
});

describe('skew policy: kubelet and kube-proxy against kube-apiserver', () => {
  for (const component of ['kubelet', 'kube-proxy'] as const) {
    it.each([
      // [apiservers, version, expected]
      [['1.31.0'], '1.31.9', 'ok'],
      [['1.31.0'], '1.28.0', 'ok'], // exactly 3 older: the limit since 1.28
      [['1.31.0'], '1.27.9', 'older 4/3'], // one beyond
      [['1.31.0'], '1.32.0', 'newer 1/0'], // never newer
      [['1.28.0'], '1.25.0', 'ok'], // 1.28 boundary: 3 allowed
      [['1.28.0'], '1.24.9', 'older 4/3'],
      [['1.27.5'], '1.25.0', 'ok'], // below 1.28: 2 allowed
      [['1.27.5'], '1.24.0', 'older 3/2'], // 3 older is one beyond below 1.28
      [['1.30.2', '1.31.0'], '1.28.0', 'ok'], // HA: against the newest
      [['1.30.2', '1.31.0'], '1.27.0', 'older 4/3'],
      [['1.30.2', '1.31.0'], '1.31.0', 'newer 1/0'], // HA: newer than the oldest
    ])(`${component}: apiservers %j, %s → %s`, (apiservers, version, expected) => {
      expect(verdict(component, version, apiservers)).toBe(expected);
    });
  }

  it.each([
    ['1.31.0', '1.28.0', 'ok'],
    ['1.31.0', '1.27.0', 'newer 4/3'],
    ['1.28.0', '1.31.0', 'ok'],
    ['1.24.0', '1.26.0', 'ok'], // kube-proxy below 1.25: 2 either way
    ['1.24.0', '1.27.0', 'older 3/2'],
  ])('kube-proxy %s beside kubelet %s → %s', (proxy, kubelet, expected) => {
    const b = proxyKubeletBreach(v(proxy), v(kubelet));
    expect(b ? `${b.direction} ${b.by}/${b.limit}` : 'ok').toBe(expected);
  });
});

describe('skew policy: controller-manager, scheduler, cloud-controller-manager', () => {
  for (const component of [
    'kube-controller-manager',
    'kube-scheduler',
    'cloud-controller-manager',
  ] as const) {
    it.each([
      [['1.31.0'], '1.31.0', 'ok'],
      [['1.31.0'], '1.30.0', 'ok'], // one older: the limit
      [['1.31.0'], '1.29.9', 'older 2/1'], // one beyond
      [['1.31.0'], '1.32.0', 'newer 1/0'],
      [['1.30.0', '1.31.0'], '1.30.0', 'ok'],
      [['1.30.0', '1.31.0'], '1.31.0', 'newer 1/0'], // newer than an HA apiserver
      [['1.31.4', '1.32.0'], '1.30.9', 'older 2/1'], // after the apiserver moves to the target
    ])(`${component}: apiservers %j, %s → %s`, (apiservers, version, expected) => {
      expect(verdict(component, version, apiservers)).toBe(expected);
    });
  }
});

describe('skew policy: kubectl, HA apiservers, kubeadm', () => {
  it.each([
    [['1.31.0'], '1.32.0', 'ok'],
    [['1.31.0'], '1.30.0', 'ok'],
    [['1.31.0'], '1.33.0', 'newer 2/1'],
    [['1.31.0'], '1.29.0', 'older 2/1'],
    [['1.30.0', '1.31.0'], '1.32.0', 'newer 2/1'], // within one of every apiserver
    [['1.30.0', '1.31.0'], '1.29.0', 'older 2/1'],
  ])('kubectl: apiservers %j, %s → %s', (apiservers, version, expected) => {
    expect(verdict('kubectl', version, apiservers)).toBe(expected);
  });

  it.each([
    [['1.31.0'], undefined],
    [['1.30.9', '1.31.0'], undefined], // one minor apart: the limit
    [['1.29.4', '1.31.2'], 2], // two apart
    [['1.29.4', '1.30.0', '1.31.2'], 2],
  ])('HA kube-apiservers %j → spread %s', (apiservers, expected) => {
    expect(apiserverSpread(vs(...apiservers))).toBe(expected);
  });

  it.each([
    ['1.31.4', '1.31.4', undefined],
    ['1.31.9', '1.31.4', undefined],
    ['1.31.3', '1.31.4', 'older'], // an older patch refuses `upgrade apply` to a newer one
    ['1.30.9', '1.31.4', 'older'],
    ['1.32.0', '1.31.4', undefined], // kubeadm deploys its minor and the one before
    ['1.33.0', '1.31.4', 'newer'],
  ])('kubeadm %s for target %s → %s', (kubeadm, target, expected) => {
    expect(kubeadmProblem(v(kubeadm), v(target))).toBe(expected);
  });
});

describe('upgrade hops: one minor at a time', () => {
  it('one minor, or a patch, is one hop', () => {
    expect(upgradeHops('1.30.5', 'v1.31.4')).toEqual([
      { from: '1.30.5', to: '1.31.4', exact: true },
    ]);
    expect(upgradeHops('1.30.5', '1.30.9')).toEqual([
      { from: '1.30.5', to: '1.30.9', exact: true },
    ]);
  });

  it('a skipped minor becomes hops, with a placeholder for the unknown latest patch', () => {
    expect(upgradeHops('1.29.8', '1.31.4')).toEqual([
      { from: '1.29.8', to: '1.30.x', exact: false },
      { from: '1.30.x', to: '1.31.4', exact: true },
    ]);
  });

  it('fills intermediate minors from the latest patches when given', () => {
    expect(upgradeHops('1.29.8', '1.32.1', { '1.30': 'v1.30.14', '1.31': '1.31.10' })).toEqual([
      { from: '1.29.8', to: '1.30.14', exact: true },
      { from: '1.30.14', to: '1.31.10', exact: true },
      { from: '1.31.10', to: '1.32.1', exact: true },
    ]);
  });

  it('has no hop for the same version or a downgrade', () => {
    expect(upgradeHops('1.31.4', '1.31.4')).toEqual([]);
    expect(upgradeHops('1.31.4', '1.30.0')).toEqual([]);
  });

  it('refuses a major version change', () => {
    expect(() => upgradeHops('1.31.4', '2.0.0')).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });
});
