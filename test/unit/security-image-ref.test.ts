/**
 * Image references as the container runtime reads them (distribution/reference's grammar
 * and normalisation): registry, repository, tag and digest, what counts as a moving tag,
 * what the runtime refuses (said, not guessed), and the registry allow-list's matching.
 */
import { describe, expect, it } from 'vitest';
import { isMutable, parseImageRef } from '../../src/operations/security/image-ref.js';
import {
  isAllowed,
  parseAllowList,
  parseRegistryPattern,
} from '../../src/operations/security/registry-allow-list.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parsing an image reference', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', 'latest', undefined, true],
    ['nginx:latest', 'docker.io', 'library/nginx', 'latest', undefined, false],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined, false],
    ['docker.io/library/nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined, false],
    ['index.docker.io/library/nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined, false],
    ['bitnami/redis:7.2', 'docker.io', 'bitnami/redis', '7.2', undefined, false],
    ['registry.k8s.io/etcd:3.5.16-0', 'registry.k8s.io', 'etcd', '3.5.16-0', undefined, false],
    ['localhost:5000/app', 'localhost:5000', 'app', 'latest', undefined, true],
    ['localhost/app:v2', 'localhost', 'app', 'v2', undefined, false],
    [`myreg:5000/team/app:v1@${DIGEST}`, 'myreg:5000', 'team/app', 'v1', DIGEST, false],
    [`ghcr.io/org/app@${DIGEST}`, 'ghcr.io', 'org/app', undefined, DIGEST, false],
    ['[fd00::5]:5000/app:1', '[fd00::5]:5000', 'app', '1', undefined, false],
    // A single name is always on Docker Hub, even one that looks like host:port.
    ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined, false],
  ])('%s → %s / %s : %s @ %s', (text, registry, repository, tag, digest, tagDefaulted) => {
    const { ref, error } = parseImageRef(text);
    expect(error).toBeUndefined();
    expect(ref).toMatchObject({ registry, repository, tagDefaulted });
    expect(ref?.tag).toBe(tag);
    expect(ref?.digest).toBe(digest);
  });

  it('keeps the name as written, without tag or digest, for pinning', () => {
    expect(parseImageRef('nginx:latest').ref?.name).toBe('nginx');
    expect(parseImageRef(`localhost:5000/app:v1@${DIGEST}`).ref?.name).toBe('localhost:5000/app');
  });

  it.each([
    ['', 'no image given'],
    ['Nginx', 'repository name must be lowercase'],
    ['NGINX:latest', 'repository name must be lowercase'],
    ['registry.example.com/Team/app:1', 'repository name must be lowercase'],
    ['nginx:', 'not a valid image reference'],
    ['nginx latest', 'contains white space'],
    ['https://ghcr.io/org/app:1', 'not a valid image reference'],
    ['nginx@sha256:abc', 'not a valid image reference'],
    [`nginx@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm "md5"'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'a sha256 digest is 64 lower-case hex digits'],
    ['a'.repeat(64), 'a bare 64-hex identifier names no repository'],
    [`${'a'.repeat(256)}:1`, 'name longer than 255 characters'],
  ])('refuses %j: %s', (text, reason) => {
    const parsed = parseImageRef(text);
    expect(parsed.ref).toBeUndefined();
    expect(parsed.error).toContain(reason);
  });

  it('an upper-case first component is a registry, as the runtime reads it', () => {
    expect(parseImageRef('Registry.Example.com/app:1').ref).toMatchObject({
      registry: 'Registry.Example.com',
      repository: 'app',
    });
  });

  it('a moving tag is latest, written or not, without a digest', () => {
    const mutable = (s: string) => isMutable(parseImageRef(s).ref!);
    expect(mutable('nginx')).toBe(true);
    expect(mutable('nginx:latest')).toBe(true);
    expect(mutable('localhost:5000/app')).toBe(true);
    expect(mutable('nginx:1.27')).toBe(false);
    expect(mutable('registry.k8s.io/kube-apiserver:v1.31.4')).toBe(false);
    expect(mutable(`nginx@${DIGEST}`)).toBe(false);
    expect(mutable(`nginx:latest@${DIGEST}`)).toBe(false);
  });
});

describe('the registry allow-list', () => {
  const allow = parseAllowList(['registry.k8s.io', 'ghcr.io/acme', 'Docker.io/library/']);
  const allowed = (s: string) => isAllowed(parseImageRef(s).ref!, allow);

  it('matches the host, and a path prefix by whole components', () => {
    expect(allowed('registry.k8s.io/etcd:3.5.16-0')).toBe(true);
    expect(allowed('registry.k8s.io/coredns/coredns:v1.11.3')).toBe(true);
    expect(allowed('ghcr.io/acme/api:1.0')).toBe(true);
    expect(allowed('ghcr.io/acme')).toBe(true);
    expect(allowed('ghcr.io/acmecorp/api:1.0')).toBe(false);
    expect(allowed('ghcr.io/other/api:1.0')).toBe(false);
    expect(allowed('registry.k8s.io.evil.example/etcd:1')).toBe(false);
  });

  it('reads Docker Hub names as the runtime does: nginx is docker.io/library/nginx', () => {
    expect(allowed('nginx:1.27')).toBe(true);
    expect(allowed('index.docker.io/library/redis:7.2')).toBe(true);
    expect(allowed('bitnami/redis:7.2')).toBe(false);
  });

  it('refuses an entry that is no registry, naming it', () => {
    expect(parseRegistryPattern('https://ghcr.io')).toBeUndefined();
    expect(parseRegistryPattern('ghcr.io/acme/api:1.0')).toBeUndefined();
    expect(parseRegistryPattern('')).toBeUndefined();
    expect(() => parseAllowList(['ghcr.io', 'https://ghcr.io'])).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: 'security.allowedRegistries[1]: "https://ghcr.io" is not a registry',
      }),
    );
  });
});
