/**
 * Findings about cluster access, from the facts cluster-access.ts gathers: cluster-admin
 * or Secret reading for everyone is critical; extra cluster-admins, service accounts that
 * read every Secret, namespaces without Pod Security enforcement and pods with host
 * access are warnings. Kubernetes' and kubeadm's own identities are not held against you.
 */
import type { Finding } from '../../domain/report.js';
import type {
  ClusterAccessFacts,
  GrantedSubject,
  HostAccessWorkload,
} from '../../domain/security.js';
import { listSome } from '../kube/report.js';
import { BROAD, PSA_ENFORCE } from './cluster-access.js';

const MAX_LINES = 20;

const who = (s: GrantedSubject) =>
  s.kind === 'ServiceAccount'
    ? `ServiceAccount ${s.namespace ?? ''}/${s.name}`
    : `${s.kind} ${s.name}`;
const line = (s: GrantedSubject) => `${who(s)} → ${s.role} via ${s.via}`;

function lines(items: string[]): string {
  const shown = items.slice(0, MAX_LINES);
  if (items.length > MAX_LINES) shown.push(`… and ${items.length - MAX_LINES} more`);
  return shown.join('\n');
}

const bindingNames = (subjects: GrantedSubject[]) => [
  ...new Set(subjects.map((s) => s.via.replace(/^ClusterRoleBinding\//, ''))),
];

function rbacFindings(f: ClusterAccessFacts): Finding[] {
  const out: Finding[] = [];
  const broad = [...f.clusterAdmins, ...f.secretReaders].filter((s) => BROAD.has(s.name));
  if (broad.length) {
    out.push({
      id: 'security.rbac.broad',
      severity: 'crit',
      title: `Everyone gets ${f.clusterAdmins.some((s) => BROAD.has(s.name)) ? 'cluster-admin' : 'every Secret'}: ${listSome([...new Set(broad.map((s) => s.name))], 4)}`,
      detail: lines(broad.map(line)),
      remedy: `Delete these bindings (bind what really needs access to its own identity):\n${bindingNames(
        broad,
      )
        .map((b) => `kubectl delete clusterrolebinding ${b}`)
        .join('\n')}`,
    });
  }
  const admins = f.clusterAdmins.filter((s) => !s.builtIn && !BROAD.has(s.name));
  if (admins.length) {
    out.push({
      id: 'security.rbac.cluster-admin',
      severity: 'warn',
      title: `${admins.length} subject${admins.length === 1 ? ' is' : 's are'} cluster-admin besides the defaults: ${listSome(admins.map(who), 4)}`,
      detail: lines(admins.map(line)),
      remedy:
        'Give each the narrowest role that works (a Role per namespace, or a ClusterRole with only the verbs it uses) and keep cluster-admin for break-glass identities; then: kubectl delete clusterrolebinding <name>.',
    });
  } else {
    const defaults = [...new Set(f.clusterAdmins.map(who))];
    out.push({
      id: 'security.rbac.cluster-admin',
      severity: 'ok',
      title: `Only the built-in identities are cluster-admin${defaults.length ? `: ${listSome(defaults, 4)}` : ''}`,
    });
  }
  const readers = f.secretReaders.filter((s) => !s.builtIn && !BROAD.has(s.name));
  out.push(
    readers.length
      ? {
          id: 'security.rbac.secret-readers',
          severity: 'warn',
          title: `${readers.length} service account${readers.length === 1 ? '' : 's'} can read every Secret: ${listSome(readers.map(who), 4)}`,
          detail: lines(readers.map(line)),
          remedy:
            'A token from any pod running as one of these reads every Secret in the cluster. Grant Secrets per namespace instead (a Role and RoleBinding, with resourceNames where possible) and delete the ClusterRoleBinding.',
        }
      : {
          id: 'security.rbac.secret-readers',
          severity: 'ok',
          title: 'No service account beyond the built-in controllers can read every Secret',
        },
  );
  return out;
}

function psaFindings(f: ClusterAccessFacts): Finding[] {
  const out: Finding[] = [];
  const n = f.unlabelledNamespaces.length;
  out.push(
    n
      ? {
          id: 'security.psa',
          severity: 'warn',
          title: `${n} namespace${n === 1 ? '' : 's'} enforce${n === 1 ? 's' : ''} no Pod Security standard: ${listSome(f.unlabelledNamespaces, 6)}`,
          detail: `Without a ${PSA_ENFORCE} label any pod there may run privileged or use the host, unless the API server's AdmissionConfiguration sets a cluster-wide default (the API does not show it).`,
          remedy: `Label each, checking first what would be refused:\nkubectl label --dry-run=server --overwrite namespace <ns> ${PSA_ENFORCE}=baseline\nkubectl label namespace <ns> ${PSA_ENFORCE}=baseline   # restricted where the workloads allow`,
        }
      : {
          id: 'security.psa',
          severity: 'ok',
          title: 'Every namespace enforces a Pod Security standard',
        },
  );
  if (f.privilegedNamespaces.length) {
    out.push({
      id: 'security.psa.privileged',
      severity: 'info',
      title: `Pod Security enforce=privileged (no restriction) in: ${listSome(f.privilegedNamespaces, 6)}`,
    });
  }
  return out;
}

function hostText(w: HostAccessWorkload): string {
  const what = [
    w.privileged ? 'privileged' : '',
    w.hostNetwork ? 'hostNetwork' : '',
    w.hostPID ? 'hostPID' : '',
    w.hostPaths.length ? `hostPath ${w.hostPaths.join(', ')}` : '',
  ].filter(Boolean);
  return `${w.namespace} ${w.owner}${w.pods > 1 ? ` (${w.pods} pods)` : ''}: ${what.join(', ')}`;
}

/** ` (60,000 pods read)`: how much the scan saw, for an ok that says what it rests on. */
const podsRead = (f: ClusterAccessFacts) =>
  f.podsRead === undefined ? '' : ` (${f.podsRead.toLocaleString('en-US')} pods read)`;

function hostFindings(f: ClusterAccessFacts): Finding[] {
  const n = f.hostAccess.length;
  if (!n)
    return [
      {
        id: 'security.pods.host-access',
        severity: 'ok',
        title: `No pod outside kube-system is privileged or uses the host${podsRead(f)}`,
      },
    ];
  return [
    {
      id: 'security.pods.host-access',
      severity: 'warn',
      title: `${n} workload${n === 1 ? '' : 's'} outside kube-system run${n === 1 ? 's' : ''} privileged or with host access: ${listSome(
        f.hostAccess.map((w) => `${w.namespace}/${w.owner}`),
        4,
      )}`,
      detail: lines(f.hostAccess.map(hostText)),
      remedy:
        'Each is root on its node once compromised. Drop privileged, hostNetwork and hostPID where not needed, mount narrower host paths read-only, and keep the ones that must stay in a namespace of their own that alone allows it.',
    },
  ];
}

export function clusterAccessFindings(facts?: ClusterAccessFacts, error?: string): Finding[] {
  if (!facts) {
    return [
      {
        id: 'security.access.unchecked',
        severity: 'warn',
        title: 'Cluster access not checked: the Kubernetes API could not be read',
        detail: error,
        remedy:
          "Set KUBECONFIG (or the cluster's kubeconfig and context in the config file). The audit needs get and list on clusterroles, clusterrolebindings, namespaces and pods.",
      },
    ];
  }
  return [...rbacFindings(facts), ...psaFindings(facts), ...hostFindings(facts)];
}
