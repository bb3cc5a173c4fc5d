/**
 * The networking and service-account facts from what kube-audit.ts read: the namespaces,
 * every NetworkPolicy, the `default` ServiceAccounts, and the pod pass's two folds. A read
 * that failed makes its phase unchecked (with the reason), never empty; the pod pass
 * failing leaves both unchecked.
 */
import type { NamespaceInfo, ServiceAccountInfo } from '../../domain/kube.js';
import type { NetworkAndAccountFacts } from '../../domain/security-network.js';
import type { NetworkPolicyInfo } from '../../domain/kube.js';
import type { Outcome } from './outcome.js';
import { networkFacts, type NetworkPodTally } from './network-facts.js';
import { serviceAccountFacts, type DefaultTokenTally } from './service-account-facts.js';

export interface NetworkReads {
  namespaces: Outcome<NamespaceInfo[]>;
  policies: Outcome<NetworkPolicyInfo[]>;
  accounts: Outcome<ServiceAccountInfo[]>;
  pods: Outcome<{ network: NetworkPodTally; tokens: DefaultTokenTally; read: number }>;
}

export function networkAndAccountFacts(r: NetworkReads): NetworkAndAccountFacts {
  if (r.pods.error !== undefined) {
    return {
      networkError: r.namespaces.error ?? r.policies.error ?? r.pods.error,
      accountsError: r.accounts.error ?? r.pods.error,
    };
  }
  const { network, tokens, read } = r.pods.value;
  const networkError = r.namespaces.error ?? r.policies.error;
  return {
    ...(networkError === undefined
      ? { network: networkFacts(r.namespaces.value ?? [], r.policies.value ?? [], network) }
      : { networkError }),
    ...(r.accounts.error === undefined
      ? { accounts: serviceAccountFacts(r.accounts.value, tokens) }
      : { accountsError: r.accounts.error }),
    podsRead: read,
  };
}
