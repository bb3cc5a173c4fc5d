/**
 * Everything the security audit reads through the Kubernetes API but the control plane's
 * flags: RBAC, namespaces, NetworkPolicies and the `default` ServiceAccounts at once, then
 * ONE paged pass over every pod feeding every fold (host access, pods no policy selects,
 * default-token pods, images), so a 150,000-pod cluster is listed once and held as counts.
 * Each call is bounded by `timeoutMs` from its start; each phase is checked or says why not.
 */
import type { ClusterAccessFacts } from '../../domain/security.js';
import type { ImageFacts } from '../../domain/security-images.js';
import type { NetworkAndAccountFacts } from '../../domain/security-network.js';
import type { KubeClient } from '../kube/client.js';
import { combineFolds, countFold } from '../kube/combine-folds.js';
import { clusterAccessFacts, hostAccessFold } from './cluster-access.js';
import { imageFacts, imageFold } from './image-facts.js';
import { networkAndAccountFacts } from './network-access.js';
import { policiesByNamespace, unselectedPodsFold } from './network-facts.js';
import { outcome } from './outcome.js';
import { defaultTokenPodsFold } from './service-account-facts.js';

export interface KubeAuditFacts {
  access?: ClusterAccessFacts;
  accessError?: string;
  network: NetworkAndAccountFacts;
  images?: ImageFacts;
  imagesError?: string;
}

export interface KubeAuditOptions {
  /** `security.allowedRegistries`: no registry check when absent. */
  allowedRegistries?: string[];
}

export async function gatherKubeAudit(
  kube: KubeClient,
  timeoutMs: number,
  options: KubeAuditOptions = {},
): Promise<KubeAuditFacts> {
  const deadline = () => Date.now() + timeoutMs;
  const [roles, bindings, namespaces, policies, accounts] = await Promise.all([
    outcome(() => kube.listClusterRoles(deadline())),
    outcome(() => kube.listClusterRoleBindings(deadline())),
    outcome(() => kube.listNamespaces(deadline())),
    outcome(() => kube.listNetworkPolicies(deadline())),
    outcome(() => kube.listServiceAccounts({ name: 'default' }, deadline())),
  ]);
  const fold = combineFolds({
    host: hostAccessFold,
    network: unselectedPodsFold(policiesByNamespace(policies.value ?? [])),
    tokens: defaultTokenPodsFold,
    images: imageFold(options),
    read: countFold,
  });
  const pods = await outcome(() => kube.foldPods({}, deadline(), fold));
  const accessError = roles.error ?? bindings.error ?? namespaces.error ?? pods.error;
  const p = pods.value;
  const network = networkAndAccountFacts({
    namespaces,
    policies,
    accounts,
    pods: p ? { value: { network: p.network, tokens: p.tokens, read: p.read.n } } : pods,
  });
  return {
    ...(accessError === undefined
      ? { access: clusterAccessFacts(roles.value!, bindings.value!, namespaces.value!, p!.host) }
      : { accessError }),
    network,
    ...(p ? { images: imageFacts(p.images) } : { imagesError: pods.error }),
  };
}
