/**
 * Service-account token facts, pure: application namespaces whose `default` ServiceAccount
 * does not set `automountServiceAccountToken: false`, and how many live pods there run as
 * `default` without opting out themselves — counted by a fold that keeps one number per
 * namespace, never a pod.
 */
import type { ListFold, PodInfo, ServiceAccountInfo } from '../../domain/kube.js';
import type { ServiceAccountFacts } from '../../domain/security-network.js';
import { isApplicationNamespace, isLive } from './network-facts.js';

/** Live pods per namespace that run as `default` with its token mounted. */
export type DefaultTokenTally = Map<string, number>;

/** A pod gets `default`'s token unless it names another account or opts out itself. */
const mountsDefaultToken = (p: PodInfo) =>
  (p.serviceAccountName ?? 'default') === 'default' && p.automountServiceAccountToken !== false;

export const defaultTokenPodsFold: ListFold<PodInfo, DefaultTokenTally> = {
  start: () => new Map(),
  add(tally, p) {
    if (!isLive(p) || !isApplicationNamespace(p.namespace) || !mountsDefaultToken(p)) return;
    tally.set(p.namespace, (tally.get(p.namespace) ?? 0) + 1);
  },
};

/** From the `default` ServiceAccounts (listServiceAccounts({ name: 'default' })) and the tally. */
export function serviceAccountFacts(
  accounts: readonly ServiceAccountInfo[],
  tally: DefaultTokenTally,
): ServiceAccountFacts {
  const defaults = accounts.filter((a) => a.name === 'default');
  return {
    automounting: defaults
      .filter(
        (a) => isApplicationNamespace(a.namespace) && a.automountServiceAccountToken !== false,
      )
      .map((a) => ({ namespace: a.namespace, pods: tally.get(a.namespace) ?? 0 }))
      .sort((a, b) => a.namespace.localeCompare(b.namespace)),
    defaultAccounts: defaults.length,
  };
}
