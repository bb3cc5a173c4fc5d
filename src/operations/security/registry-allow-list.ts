/**
 * `security.allowedRegistries`: the registries (a host, optionally with a path prefix such
 * as `ghcr.io/myorg`) images may come from. A host matches case-insensitively and
 * `index.docker.io` is `docker.io`, as the runtime reads it; a path prefix matches whole
 * path components (`ghcr.io/acme` allows `ghcr.io/acme/api`, not `ghcr.io/acmecorp/api`).
 */
import { QuorumError } from '../../domain/errors.js';
import { DEFAULT_REGISTRY, type ImageRef } from './image-ref.js';

export interface RegistryPattern {
  /** Lower-case host, with its port when written. */
  host: string;
  /** A path prefix in that registry, without slashes at either end. */
  path?: string;
}

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[a-f0-9:]+\])(?::\d+)?$/;
const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

const normalHost = (host: string) => {
  const lower = host.toLowerCase();
  return lower === 'index.docker.io' ? DEFAULT_REGISTRY : lower;
};

/** One entry; `undefined` when it is no registry (a URL, a tag, white space). */
export function parseRegistryPattern(text: string): RegistryPattern | undefined {
  const trimmed = text.trim().replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const host = normalHost(slash === -1 ? trimmed : trimmed.slice(0, slash));
  const path = slash === -1 ? undefined : trimmed.slice(slash + 1);
  if (!HOST.test(host) || (path !== undefined && !PATH.test(path))) return undefined;
  return path === undefined ? { host } : { host, path };
}

/** Every entry parsed; a CONFIG_INVALID error naming the first that is not a registry. */
export function parseAllowList(entries: readonly string[]): RegistryPattern[] {
  return entries.map((entry, i) => {
    const pattern = parseRegistryPattern(entry);
    if (!pattern) {
      throw new QuorumError(
        'CONFIG_INVALID',
        `security.allowedRegistries[${i}]: "${entry}" is not a registry`,
        'Write a registry host, optionally with a path prefix and without a scheme or tag, e.g. registry.k8s.io or ghcr.io/myorg.',
      );
    }
    return pattern;
  });
}

const matches = (ref: ImageRef, p: RegistryPattern) =>
  normalHost(ref.registry) === p.host &&
  (p.path === undefined || ref.repository === p.path || ref.repository.startsWith(`${p.path}/`));

/** The image comes from a registry (and path) the list allows. */
export const isAllowed = (ref: ImageRef, patterns: readonly RegistryPattern[]): boolean =>
  patterns.some((p) => matches(ref, p));
