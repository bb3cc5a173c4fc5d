/**
 * The rules on the control plane's own flags: kubeadm's safe defaults give exactly the
 * expected findings, each rule fires on its flag (and on the component's default when
 * the flag is absent), severities, subjects, remedies that name the manifest line, and
 * a warning — never an ok — when no command line could be read.
 */
import { describe, expect, it } from 'vitest';
import type { PodInfo } from '../../src/domain/kube.js';
import type { Finding } from '../../src/domain/report.js';
import { AUTHN_CONFIG } from '../../src/operations/security/apiserver-anonymous.js';
import { ENCRYPTION_CONFIG } from '../../src/operations/security/apiserver-flag-rules.js';
import {
  controlPlaneCommands,
  controlPlaneFlagFindings,
  type ControlPlaneCommand,
} from '../../src/operations/security/control-plane-flags.js';
import { ENCRYPT_REMEDY } from '../../src/operations/security/encryption-rules.js';
import { kubeadmCommand, withFlags, type StaticComponent } from '../support/kube-static-pods.js';

const COMPONENTS: StaticComponent[] = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
];

function commands(
  changes: Partial<Record<StaticComponent, Record<string, string | null>>> = {},
  opts: { node?: string; version?: string } = {},
): ControlPlaneCommand[] {
  const node = opts.node ?? 'cp1';
  return COMPONENTS.map((component) => ({
    component,
    pod: `kube-system/${component}-${node}`,
    node,
    version: opts.version ?? 'v1.31.4',
    command: withFlags(kubeadmCommand(component), changes[component] ?? {}),
  }));
}

const judge = (cmds: ControlPlaneCommand[]) =>
  controlPlaneFlagFindings({ commands: cmds, podsListed: cmds.length + 1 });
const brief = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.id} ${f.subject ?? ''}`.trim());
const one = (fs: Finding[], id: string) => {
  const got = fs.filter((f) => f.id === id);
  expect(got, brief(fs).join('\n')).toHaveLength(1);
  return got[0] as Finding;
};
const api = (changes: Record<string, string | null>, version?: string) =>
  judge(commands({ 'kube-apiserver': changes }, { version }));

describe("kubeadm v1.31's own command lines", () => {
  it('give exactly the findings of what kubeadm leaves at the defaults', () => {
    expect(brief(judge(commands()))).toEqual([
      'warn security.apiserver.anonymous-auth kube-system/kube-apiserver-cp1 --anonymous-auth',
      'warn security.apiserver.profiling kube-system/kube-apiserver-cp1 --profiling',
      'warn security.apiserver.audit-log kube-system/kube-apiserver-cp1 --audit-policy-file',
      'warn security.apiserver.encryption-config kube-system/kube-apiserver-cp1 --encryption-provider-config',
      'warn security.controller-manager.profiling kube-system/kube-controller-manager-cp1 --profiling',
      'warn security.scheduler.profiling kube-system/kube-scheduler-cp1 --profiling',
    ]);
  });

  it('hardened as the remedies say, give one ok', () => {
    const fs = judge(
      commands(
        {
          'kube-apiserver': {
            '--profiling': 'false',
            '--authentication-config': AUTHN_CONFIG,
            '--audit-policy-file': '/etc/kubernetes/audit/policy.yaml',
            '--audit-log-path': '/var/log/kubernetes/audit/audit.log',
            '--encryption-provider-config': ENCRYPTION_CONFIG,
          },
          'kube-controller-manager': { '--profiling': 'false' },
          'kube-scheduler': { '--profiling': 'false' },
        },
        { version: 'v1.32.2' },
      ),
    );
    expect(brief(fs)).toEqual([
      'info security.apiserver.authentication-config kube-system/kube-apiserver-cp1 --authentication-config',
      'ok security.control-plane',
    ]);
    expect(fs[1]?.title).toContain('3 pod(s)');
  });
});

describe('kube-apiserver rules', () => {
  it('anonymous requests: the default (true) is named as such; false is fine', () => {
    const unset = one(api({}), 'security.apiserver.anonymous-auth');
    expect(unset.title).toContain('--anonymous-auth is not set; its default is true');
    const on = one(api({ '--anonymous-auth': 'true' }), 'security.apiserver.anonymous-auth');
    expect(on.title).toContain('`- --anonymous-auth=true`');
    expect(on.severity).toBe('warn');
    expect(api({ '--anonymous-auth': 'false' }).map((f) => f.id)).not.toContain(
      'security.apiserver.anonymous-auth',
    );
  });

  it('anonymous requests before 1.32: no --anonymous-auth=false flip that loops the probes', () => {
    const f = one(api({ '--anonymous-auth': 'true' }), 'security.apiserver.anonymous-auth');
    expect(f.detail).toMatch(/probes .* get 401/);
    expect(f.remedy).toContain('This is v1.31.4');
    expect(f.remedy).toContain('Upgrade to 1.32');
    expect(f.remedy).not.toContain('sed');
    expect(f.remedy).toContain("grep -E 'system:(anonymous|unauthenticated)'");
  });

  it('anonymous requests from 1.32: an AuthenticationConfiguration for the health endpoints', () => {
    const f = one(
      api({ '--anonymous-auth': 'true' }, 'v1.32.2'),
      'security.apiserver.anonymous-auth',
    );
    expect(f.remedy).toContain('apiVersion: apiserver.config.k8s.io/v1beta1');
    expect(f.remedy).toContain('    - path: /livez');
    expect(f.remedy).toContain(`--authentication-config=${AUTHN_CONFIG}`);
    expect(f.remedy).toContain('delete `- --anonymous-auth=true`');
    const v134 = one(api({}, 'v1.34.1'), 'security.apiserver.anonymous-auth');
    expect(v134.remedy).toContain('apiVersion: apiserver.config.k8s.io/v1\n');
  });

  it('profiling: the default (true), a bare --profiling, and =false', () => {
    expect(one(api({}), 'security.apiserver.profiling').remedy).toContain(
      'add `- --profiling=false` to the command',
    );
    const fs = judge([
      { ...commands()[0]!, command: [...kubeadmCommand('kube-apiserver'), '--profiling'] },
    ]);
    expect(one(fs, 'security.apiserver.profiling').remedy).toContain(
      'change `- --profiling` to `- --profiling=false`',
    );
    expect(api({ '--profiling': 'false' }).map((f) => f.id)).not.toContain(
      'security.apiserver.profiling',
    );
  });

  it('audit logging: needs a policy and a backend', () => {
    const none = one(api({}), 'security.apiserver.audit-log');
    expect(none.title).toContain('no --audit-policy-file, and neither');
    expect(none.remedy).toContain("tee /etc/kubernetes/audit/policy.yaml >/dev/null <<'EOF'");
    const noPolicy = one(
      api({ '--audit-log-path': '/var/log/kubernetes/audit/audit.log' }),
      'security.apiserver.audit-log',
    );
    expect(noPolicy.title).toContain('without a policy nothing is recorded');
    expect(noPolicy.remedy).not.toContain('--audit-log-maxage');
    const noBackend = one(
      api({ '--audit-policy-file': '/etc/kubernetes/audit/policy.yaml' }),
      'security.apiserver.audit-log',
    );
    expect(noBackend.subject).toBe('kube-system/kube-apiserver-cp1 --audit-log-path');
    expect(noBackend.remedy).not.toContain('tee ');
    for (const backend of ['--audit-log-path', '--audit-webhook-config-file'])
      expect(
        api({ '--audit-policy-file': '/p.yaml', [backend]: '/x' }).map((f) => f.id),
      ).not.toContain('security.apiserver.audit-log');
  });

  it('authorization: unset is AlwaysAllow (crit), AlwaysAllow or no RBAC crit, no Node warn', () => {
    const unset = one(
      api({ '--authorization-mode': null }),
      'security.apiserver.authorization-mode',
    );
    expect([unset.severity, unset.title]).toEqual([
      'crit',
      'kube-apiserver-cp1: authorizes every request (--authorization-mode is not set; its default is AlwaysAllow)',
    ]);
    const allow = one(
      api({ '--authorization-mode': 'Node,RBAC,AlwaysAllow' }),
      'security.apiserver.authorization-mode',
    );
    expect(allow.severity).toBe('crit');
    expect(allow.remedy).toContain(
      'change `- --authorization-mode=Node,RBAC,AlwaysAllow` to `- --authorization-mode=Node,RBAC`',
    );
    const abac = one(
      api({ '--authorization-mode': 'ABAC' }),
      'security.apiserver.authorization-mode',
    );
    expect([abac.severity, abac.remedy?.includes('--authorization-mode=Node,ABAC,RBAC')]).toEqual([
      'crit',
      true,
    ]);
    const noNode = one(
      api({ '--authorization-mode': 'RBAC' }),
      'security.apiserver.authorization-mode',
    );
    expect(noNode.severity).toBe('warn');
    const cfg = api({
      '--authorization-mode': null,
      '--authorization-config': '/etc/k/authz.yaml',
    });
    expect(one(cfg, 'security.apiserver.authorization-config').severity).toBe('info');
    expect(cfg.map((f) => f.id)).not.toContain('security.apiserver.authorization-mode');
  });

  it('admission: NodeRestriction missing from the enabled, or disabled', () => {
    const missing = one(
      api({ '--enable-admission-plugins': null }),
      'security.apiserver.admission',
    );
    expect(missing.remedy).toContain('add `- --enable-admission-plugins=NodeRestriction`');
    const other = one(
      api({ '--enable-admission-plugins': 'PodSecurity' }),
      'security.apiserver.admission',
    );
    expect(other.remedy).toContain('to `- --enable-admission-plugins=PodSecurity,NodeRestriction`');
    const off = one(
      api({ '--disable-admission-plugins': 'NodeRestriction' }),
      'security.apiserver.admission',
    );
    expect(off.title).toContain('disables');
    expect(off.remedy).toContain('delete `- --disable-admission-plugins=NodeRestriction`');
  });

  it('encryption config: absent points to the same EncryptionConfiguration as the census', () => {
    const f = one(api({}), 'security.apiserver.encryption-config');
    expect(ENCRYPT_REMEDY).toContain(ENCRYPTION_CONFIG);
    expect(f.remedy).toContain(`--encryption-provider-config=${ENCRYPTION_CONFIG}`);
    expect(f.remedy).toContain(ENCRYPT_REMEDY);
    expect(f.remedy?.indexOf(`First write ${ENCRYPTION_CONFIG}`)).toBe(0);
  });

  it('service-account lookup: only an explicit false', () => {
    const f = one(
      api({ '--service-account-lookup': 'false' }),
      'security.apiserver.service-account-lookup',
    );
    expect(f.remedy).toContain('to `- --service-account-lookup=true`');
    expect(api({ '--service-account-lookup': 'true' }).map((x) => x.id)).not.toContain(
      'security.apiserver.service-account-lookup',
    );
  });
});

describe('kube-controller-manager and kube-scheduler rules', () => {
  it('bind address: unset is 0.0.0.0, any non-loopback address warns, loopback is fine', () => {
    const fs = judge(
      commands({
        'kube-controller-manager': { '--bind-address': '0.0.0.0' },
        'kube-scheduler': { '--bind-address': null },
      }),
    );
    const kcm = one(fs, 'security.controller-manager.bind-address');
    expect(kcm.remedy).toContain(
      'change `- --bind-address=0.0.0.0` to `- --bind-address=127.0.0.1`',
    );
    expect(kcm.detail).toContain('Port 10257');
    const sched = one(fs, 'security.scheduler.bind-address');
    expect(sched.title).toContain('its default is 0.0.0.0');
    const loop = judge(commands({ 'kube-scheduler': { '--bind-address': '::1' } }));
    expect(loop.map((f) => f.id)).not.toContain('security.scheduler.bind-address');
    const off = judge(
      commands({ 'kube-scheduler': { '--bind-address': null, '--secure-port': '0' } }),
    );
    expect(off.map((f) => f.id)).not.toContain('security.scheduler.bind-address');
  });

  it('bind address written as two words: both list items named', () => {
    const [, kcm] = commands();
    const fs = judge([
      { ...kcm!, command: ['kube-controller-manager', '--bind-address', '10.0.0.11'] },
    ]);
    expect(one(fs, 'security.controller-manager.bind-address').remedy).toContain(
      'change `- --bind-address` and `- 10.0.0.11` to `- --bind-address=127.0.0.1`',
    );
  });
});

describe('when the flags cannot be read', () => {
  it('no control-plane pod: one warning that says they were not checked', () => {
    const fs = controlPlaneFlagFindings({ commands: [], podsListed: 0 });
    expect(brief(fs)).toEqual(['warn security.control-plane.unchecked']);
    expect(fs[0]?.detail).toContain('managed');
  });

  it('a list error: the same warning, with the error', () => {
    const fs = controlPlaneFlagFindings(undefined, 'list pods in kube-system: 403 Forbidden');
    expect(brief(fs)).toEqual(['warn security.control-plane.unchecked']);
    expect(fs[0]?.detail).toBe('list pods in kube-system: 403 Forbidden');
  });

  it('a component missing, or a container without a command: warned, never ok', () => {
    const [apiserver, kcm] = commands();
    const fs = judge([{ ...apiserver!, command: [] }, kcm!]);
    expect(brief(fs).filter((s) => s.includes('unchecked'))).toEqual([
      'warn security.control-plane.unchecked kube-scheduler',
      'warn security.control-plane.unchecked kube-system/kube-apiserver-cp1',
    ]);
    expect(fs.map((f) => f.severity)).not.toContain('ok');
  });
});

describe('choosing the pods', () => {
  const pod = (component: string, name: string, more: Partial<PodInfo> = {}): PodInfo => ({
    namespace: 'kube-system',
    name,
    node: 'cp1',
    phase: 'Running',
    ready: true,
    mirror: true,
    images: [`registry.k8s.io/${component}:v1.31.4`],
    labels: { component, tier: 'control-plane' },
    restarts: 0,
    containers: [{ name: component, image: '', command: [component, `--n=${name}`] }],
    ...more,
  });

  it('one command line per component per node; etcd and a deleting duplicate left out', () => {
    const got = controlPlaneCommands([
      pod('kube-apiserver', 'kube-apiserver-cp1', { deletionTimestamp: '2026-11-27T10:00:00Z' }),
      pod('kube-apiserver', 'kube-apiserver-cp1-new'),
      pod('kube-apiserver', 'kube-apiserver-cp2', { node: 'cp2' }),
      pod('etcd', 'etcd-cp1'),
      pod('kube-scheduler', 'kube-scheduler-cp1', { containers: undefined }),
    ]);
    expect(got.map((c) => `${c.pod} ${c.node} ${c.version} ${c.command.join(' ')}`)).toEqual([
      'kube-system/kube-apiserver-cp1-new cp1 v1.31.4 kube-apiserver --n=kube-apiserver-cp1-new',
      'kube-system/kube-apiserver-cp2 cp2 v1.31.4 kube-apiserver --n=kube-apiserver-cp2',
      'kube-system/kube-scheduler-cp1 cp1 v1.31.4 ',
    ]);
  });
});
