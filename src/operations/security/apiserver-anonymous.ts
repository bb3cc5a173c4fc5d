/**
 * kube-apiserver's anonymous requests: `--anonymous-auth` is true unless set false. A
 * warning, not critical: an anonymous request gets only what RBAC grants
 * system:anonymous and system:unauthenticated (kubeadm: the health and version endpoints
 * and kube-public/cluster-info; anything broader is critical under security.rbac.broad).
 * The remedy is not `--anonymous-auth=false` on kubeadm: its probes call /livez and
 * /readyz anonymously, get 401, and the kubelet restarts the API server in a loop. From
 * 1.32 an AuthenticationConfiguration keeps anonymous requests to the health endpoints.
 */
import type { Finding } from '../../domain/report.js';
import { boolFlag } from './component-flags.js';
import { addEdit, flagFinding, minorVersion, type Edit, type FlagTarget } from './flag-finding.js';
import { deleteFlag, itemText } from './manifest-sed.js';

export const AUTHN_DIR = '/etc/kubernetes/authn';
export const AUTHN_CONFIG = `${AUTHN_DIR}/authentication-config.yaml`;

/** The paths an anonymous request may still reach: health, and `kubeadm join`'s discovery. */
const ANONYMOUS_PATHS = [
  '/livez',
  '/readyz',
  '/healthz',
  '/api/v1/namespaces/kube-public/configmaps/cluster-info',
];

const anonymousBlock = () => [
  'anonymous:',
  '  enabled: true',
  '  conditions:',
  ...ANONYMOUS_PATHS.map((p) => `    - path: ${p}`),
];

const DETAIL = [
  'Anonymous requests run as system:anonymous (group system:unauthenticated) and get what RBAC grants them: on kubeadm the health and version endpoints and kube-public/cluster-info; broader grants are listed under security.rbac.broad.',
  "Do not just set --anonymous-auth=false on kubeadm: the kube-apiserver's liveness, readiness and startup probes call /livez and /readyz without credentials, get 401, and the kubelet restarts it over and over; `kubeadm join` with a token also reads kube-public/cluster-info anonymously.",
].join('\n');

const BINDINGS_CHECK =
  "kubectl get clusterrolebindings,rolebindings -A -o wide | grep -E 'system:(anonymous|unauthenticated)'   # expect only system:public-info-viewer and kubeadm:bootstrap-signer-clusterinfo";

/** Writing the AuthenticationConfiguration file on the node. */
function writeConfig(minor: number): string[] {
  const apiVersion = minor >= 34 ? 'apiserver.config.k8s.io/v1' : 'apiserver.config.k8s.io/v1beta1';
  return [
    `sudo mkdir -p ${AUTHN_DIR} && sudo tee ${AUTHN_CONFIG} >/dev/null <<'EOF'`,
    `apiVersion: ${apiVersion}`,
    'kind: AuthenticationConfiguration',
    ...anonymousBlock(),
    'EOF',
  ];
}

/** 1.32 and later: anonymous requests only to the health endpoints, through the file. */
function limitEdit(t: FlagTarget, minor: number): Edit {
  const anon = t.cmd.flags.get('anonymous-auth');
  const existing = t.cmd.flags.get('authentication-config');
  const drop = anon ? [deleteFlag(anon)] : [];
  if (existing) {
    return {
      say: `add to the AuthenticationConfiguration in ${existing.value} (on the node) the block\n${anonymousBlock().join('\n')}\nthen delete ${anon ? itemText(anon) : 'nothing'} (the flag and the file's anonymous block may not both be set)`,
      sed: drop,
    };
  }
  const add = addEdit(
    t,
    [`--authentication-config=${AUTHN_CONFIG}`],
    [{ name: 'authentication-config', path: AUTHN_DIR, readOnly: true }],
  );
  return {
    say: `${anon ? `delete ${itemText(anon)}, ` : ''}${add.say}`,
    before: writeConfig(minor),
    sed: add.sed.length ? [...drop, ...add.sed] : [],
  };
}

function olderRemedy(t: FlagTarget): string {
  const known = t.version ? `This is ${t.version}: ` : 'The image tag shows no version: ';
  return [
    `${known}before Kubernetes 1.32 anonymous requests can be limited to the health endpoints only with an alpha feature (AnonymousAuthConfigurableEndpoints). Upgrade to 1.32 or later, then run the audit again for the exact commands.`,
    'Until then make sure nothing but the defaults is granted to anonymous requests:',
    BINDINGS_CHECK,
  ].join('\n');
}

/** `security.apiserver.anonymous-auth`, or an info when an AuthenticationConfiguration decides. */
export function anonymousFindings(t: FlagTarget): Finding[] {
  const anon = t.cmd.flags.get('anonymous-auth');
  const config = t.cmd.flags.get('authentication-config');
  if (config && !anon) {
    return [
      flagFinding(t, {
        rule: 'authentication-config',
        severity: 'info',
        flag: 'authentication-config',
        title: `anonymous requests are set in ${config.value}, which the API does not show`,
        detail: `Check on the node that its anonymous block is \`enabled: false\`, or lists conditions for ${ANONYMOUS_PATHS.slice(0, 3).join(', ')} only.`,
      }),
    ];
  }
  if (boolFlag(t.cmd, 'anonymous-auth', true) === false) return [];
  const minor = minorVersion(t);
  const edit = minor !== undefined && minor >= 32 ? limitEdit(t, minor) : undefined;
  return [
    flagFinding(t, {
      rule: 'anonymous-auth',
      severity: 'warn',
      flag: 'anonymous-auth',
      title: anon
        ? `accepts anonymous requests (${itemText(anon)})`
        : 'accepts anonymous requests (--anonymous-auth is not set; its default is true)',
      detail: DETAIL,
      ...(edit ? { edit, extra: [BINDINGS_CHECK] } : { remedy: olderRemedy(t) }),
    }),
  ];
}
