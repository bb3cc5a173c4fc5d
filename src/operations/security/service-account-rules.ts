/**
 * Findings about service-account tokens, from service-account-facts.ts: an application
 * namespace whose `default` ServiceAccount does not set `automountServiceAccountToken:
 * false` hands an API token to every pod there that does not opt out — a warning per
 * namespace, with how many live pods have it now and the one-line patch that stops it.
 */
import type { Finding } from '../../domain/report.js';
import type { AutomountingNamespace, ServiceAccountFacts } from '../../domain/security-network.js';

/** Runs as pasted: the JSON is in single quotes, the namespace a DNS label. */
export const automountPatchCommand = (namespace: string) =>
  `kubectl patch serviceaccount default -n ${namespace} -p '{"automountServiceAccountToken":false}'`;

function detail({ namespace, pods }: AutomountingNamespace): string {
  const who = `system:serviceaccount:${namespace}:default`;
  if (!pods)
    return `No running or pending pod in ${namespace} runs as default with its token now; every new one that does not opt out will, and can call the API server as ${who}.`;
  return `${pods} running or pending pod${pods === 1 ? '' : 's'} in ${namespace} run${pods === 1 ? 's' : ''} as default with its token mounted: whoever gets into one can call the API server as ${who}.`;
}

export function serviceAccountFindings(
  facts: ServiceAccountFacts | undefined,
  error: string | undefined,
): Finding[] {
  if (!facts) {
    return [
      {
        id: 'security.serviceaccount.unchecked',
        severity: 'warn',
        title: 'Service-account tokens not checked: the Kubernetes API could not be read',
        detail: error,
        remedy:
          "The audit needs list on serviceaccounts and pods; the Helm chart's ClusterRole has them.",
      },
    ];
  }
  if (!facts.automounting.length) {
    return facts.defaultAccounts
      ? [
          {
            id: 'security.serviceaccount.automount',
            severity: 'ok',
            title: `No application namespace's default ServiceAccount mounts its token into pods (${facts.defaultAccounts} default ServiceAccounts read)`,
          },
        ]
      : [];
  }
  return facts.automounting.map((n) => ({
    id: 'security.serviceaccount.automount',
    severity: 'warn',
    subject: n.namespace,
    title: `${n.namespace}: the default ServiceAccount mounts its token into every pod that does not opt out${n.pods ? ` (${n.pods} now)` : ''}`,
    detail: detail(n),
    remedy: `Turn it off (pods that need the API should run as a ServiceAccount of their own; running pods keep their token until replaced): \`${automountPatchCommand(n.namespace)}\``,
  }));
}
