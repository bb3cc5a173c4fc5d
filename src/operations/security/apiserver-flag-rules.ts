/**
 * The rules on kube-apiserver's own flags besides anonymous access (apiserver-anonymous.ts):
 * audit logging (a policy and a backend, else nothing is recorded), the authorization
 * chain (AlwaysAllow, or no RBAC, is critical: the default mode is AlwaysAllow), the
 * NodeRestriction admission plugin, the encryption config for Secrets at rest, and the
 * service-account lookup. Pure: facts in, findings out.
 */
import type { Finding } from '../../domain/report.js';
import { boolFlag, listFlag } from './component-flags.js';
import { ENCRYPT_REMEDY } from './encryption-rules.js';
import { addEdit, flagFinding, setFlag, type Edit, type FlagTarget } from './flag-finding.js';
import { deleteFlag, itemText, type HostMount } from './manifest-sed.js';

export const AUDIT_DIR = '/etc/kubernetes/audit';
export const AUDIT_POLICY = `${AUDIT_DIR}/policy.yaml`;
export const AUDIT_LOG_DIR = '/var/log/kubernetes/audit';
/** The file security.encryption.unencrypted's remedy writes (encryption-rules.ts). */
export const ENCRYPTION_DIR = '/etc/kubernetes/enc';
export const ENCRYPTION_CONFIG = `${ENCRYPTION_DIR}/encryption-config.yaml`;

/** Secrets and tokens at Metadata only (never their bodies), writes with their request. */
const POLICY = [
  'apiVersion: audit.k8s.io/v1',
  'kind: Policy',
  'omitStages: [RequestReceived]',
  'rules:',
  '  - level: Metadata',
  '    resources:',
  '      - group: ""',
  '        resources: [secrets, configmaps, serviceaccounts/token]',
  '      - group: authentication.k8s.io',
  '        resources: [tokenreviews]',
  '  - level: None',
  '    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version"]',
  '  - level: Request',
  '    verbs: [create, update, patch, delete, deletecollection]',
  '  - level: Metadata',
];

const writePolicy = () => [
  `sudo mkdir -p ${AUDIT_DIR} && sudo tee ${AUDIT_POLICY} >/dev/null <<'EOF'`,
  ...POLICY,
  'EOF',
];

const LOG_FLAGS: [string, string][] = [
  ['audit-log-path', `${AUDIT_LOG_DIR}/audit.log`],
  ['audit-log-maxage', '30'],
  ['audit-log-maxbackup', '10'],
  ['audit-log-maxsize', '100'],
];

function auditFindings(t: FlagTarget): Finding[] {
  const policy = t.cmd.flags.has('audit-policy-file');
  const backend = t.cmd.flags.has('audit-log-path') || t.cmd.flags.has('audit-webhook-config-file');
  if (policy && backend) return [];
  const items: string[] = [];
  const mounts: HostMount[] = [];
  if (!policy) {
    items.push(`--audit-policy-file=${AUDIT_POLICY}`);
    mounts.push({ name: 'audit-policy', path: AUDIT_DIR, readOnly: true });
  }
  if (!backend) {
    items.push(...LOG_FLAGS.filter(([n]) => !t.cmd.flags.has(n)).map(([n, v]) => `--${n}=${v}`));
    mounts.push({ name: 'audit-log', path: AUDIT_LOG_DIR, readOnly: false });
  }
  const edit: Edit = { ...addEdit(t, items, mounts), ...(policy ? {} : { before: writePolicy() }) };
  const why = !policy
    ? backend
      ? 'a log backend is set but no --audit-policy-file: without a policy nothing is recorded'
      : 'no --audit-policy-file, and neither --audit-log-path nor --audit-webhook-config-file'
    : '--audit-policy-file is set but neither --audit-log-path nor --audit-webhook-config-file';
  return [
    flagFinding(t, {
      rule: 'audit-log',
      severity: 'warn',
      flag: policy ? 'audit-log-path' : 'audit-policy-file',
      title: `keeps no audit log (${why})`,
      detail:
        'Nothing records who read which Secret, who ran kubectl exec, or who changed RBAC: after a compromise there is nothing to investigate. The policy below records Secrets, ConfigMaps and tokens at Metadata level only (never their values).',
      edit,
      extra: [
        `Audit events go to ${AUDIT_LOG_DIR}/audit.log on the node (30 days, 10 files of 100 MB at most); ship them off the node.`,
      ],
    }),
  ];
}

/** The chain made safe: AlwaysAllow dropped, Node first, RBAC added; the others kept in order. */
function saferModes(modes: string[]): string[] {
  const kept = modes.filter((m) => m !== 'AlwaysAllow');
  return [
    ...(kept.includes('Node') ? [] : ['Node']),
    ...kept,
    ...(kept.includes('RBAC') ? [] : ['RBAC']),
  ];
}

function authorizationFindings(t: FlagTarget): Finding[] {
  const flag = t.cmd.flags.get('authorization-mode');
  const config = t.cmd.flags.get('authorization-config');
  if (config && !flag) {
    return [
      flagFinding(t, {
        rule: 'authorization-config',
        severity: 'info',
        flag: 'authorization-config',
        title: `authorizers are set in ${config.value}, which the API does not show`,
        detail:
          'Check on the node that it lists Node and RBAC authorizers and no AlwaysAllow (type: Node, type: RBAC).',
      }),
    ];
  }
  const modes = flag ? listFlag(t.cmd, 'authorization-mode') : ['AlwaysAllow'];
  const shown = flag
    ? itemText(flag)
    : '--authorization-mode is not set; its default is AlwaysAllow';
  const allowAll = modes.includes('AlwaysAllow');
  const noRbac = !modes.includes('RBAC');
  if (!allowAll && !noRbac && modes.includes('Node')) return [];
  const title = allowAll
    ? `authorizes every request (${shown})`
    : noRbac
      ? `does not use RBAC (${shown})`
      : `has no Node authorizer (${shown})`;
  const detail = allowAll
    ? 'Every request that authenticates — and, with anonymous requests on, every request — may do anything: read every Secret, create privileged pods.'
    : noRbac
      ? 'Roles and bindings are not consulted: what the cluster shows under RBAC decides nothing.'
      : "Without the Node authorizer a kubelet's rights come from RBAC alone: either nodes lack what they need, or every kubelet was granted every node's Secrets and pods.";
  return [
    flagFinding(t, {
      rule: 'authorization-mode',
      severity: allowAll || noRbac ? 'crit' : 'warn',
      flag: 'authorization-mode',
      title,
      detail,
      edit: setFlag(t, 'authorization-mode', saferModes(modes).join(',')),
      extra: allowAll
        ? [
            'What worked only because of AlwaysAllow is refused after this: bind a Role to each identity that needs access (kubectl auth can-i --list --as=<user> shows what it has).',
          ]
        : [],
    }),
  ];
}

function admissionFindings(t: FlagTarget): Finding[] {
  const enabled = listFlag(t.cmd, 'enable-admission-plugins');
  const disabled = listFlag(t.cmd, 'disable-admission-plugins');
  const off = disabled.includes('NodeRestriction');
  if (enabled.includes('NodeRestriction') && !off) return [];
  const edits: Edit[] = [];
  if (!enabled.includes('NodeRestriction'))
    edits.push(setFlag(t, 'enable-admission-plugins', [...enabled, 'NodeRestriction'].join(',')));
  const disable = t.cmd.flags.get('disable-admission-plugins');
  if (off && disable) {
    const rest = disabled.filter((p) => p !== 'NodeRestriction');
    edits.push(
      rest.length
        ? setFlag(t, 'disable-admission-plugins', rest.join(','))
        : { say: `delete ${itemText(disable)}`, sed: [deleteFlag(disable)] },
    );
  }
  const sed = edits.every((e) => e.sed.length) ? edits.flatMap((e) => e.sed) : [];
  return [
    flagFinding(t, {
      rule: 'admission',
      severity: 'warn',
      flag: 'enable-admission-plugins',
      title: off
        ? 'disables the NodeRestriction admission plugin'
        : 'does not enable the NodeRestriction admission plugin',
      detail:
        'Without it a kubelet may change any Node and any pod status, and set node labels that steer workloads: one compromised node reaches the others.',
      edit: { say: edits.map((e) => e.say).join(', and '), sed },
    }),
  ];
}

function encryptionConfigFindings(t: FlagTarget): Finding[] {
  if (t.cmd.flags.has('encryption-provider-config')) return [];
  const edit = addEdit(
    t,
    [`--encryption-provider-config=${ENCRYPTION_CONFIG}`],
    [{ name: 'encryption-config', path: ENCRYPTION_DIR, readOnly: true }],
  );
  return [
    flagFinding(t, {
      rule: 'encryption-config',
      severity: 'warn',
      flag: 'encryption-provider-config',
      title: 'has no --encryption-provider-config: it stores every Secret unencrypted in etcd',
      detail:
        'Anyone with etcd access, a snapshot or a disk image reads them (security.encryption.unencrypted counts them).',
      intro: [
        `First write ${ENCRYPTION_CONFIG} on this node (step 1 below: the same file, with the same key, on every control-plane node); without it the kube-apiserver does not start.`,
      ],
      edit,
      extra: [
        'Then rewrite the Secrets. The whole procedure, as security.encryption.unencrypted gives it:',
        ENCRYPT_REMEDY,
      ],
    }),
  ];
}

function serviceAccountLookupFindings(t: FlagTarget): Finding[] {
  const flag = t.cmd.flags.get('service-account-lookup');
  if (!flag || boolFlag(t.cmd, 'service-account-lookup', true) !== false) return [];
  return [
    flagFinding(t, {
      rule: 'service-account-lookup',
      severity: 'warn',
      flag: 'service-account-lookup',
      title: `does not check that a token's service account still exists (${itemText(flag)})`,
      detail:
        'A token stays valid after its ServiceAccount (or token Secret) is deleted, until it expires — or forever for a legacy token.',
      edit: setFlag(t, 'service-account-lookup', 'true'),
    }),
  ];
}

/** Every kube-apiserver rule of this file, for one pod. */
export function apiserverFlagFindings(t: FlagTarget): Finding[] {
  return [
    ...authorizationFindings(t),
    ...auditFindings(t),
    ...admissionFindings(t),
    ...encryptionConfigFindings(t),
    ...serviceAccountLookupFindings(t),
  ];
}
