/**
 * Namespaces of the control plane itself: no PSA label, NetworkPolicy or token opt-out is
 * expected there, and host access is normal.
 */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
]);
