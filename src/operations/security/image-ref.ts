/**
 * An image reference as the container runtime reads it: the docker reference grammar of
 * distribution/reference (which containerd's CRI and the kubelet use), normalised as
 * `ParseNormalizedNamed` does — `nginx` is `docker.io/library/nginx:latest`, the first
 * path component is a registry only when it contains `.` or `:`, is `localhost` or has
 * upper-case letters. What the grammar refuses is unparseable, with the runtime's reason:
 * never guessed at. Pure.
 */

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN_AND_PORT = `${HOST}(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN_AND_PORT}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;
/** The digest algorithms go-digest knows, with their hex length. */
const DIGEST_HEX: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const NAME_MAX = 255;
/** Longer than a name, a tag and a sha512 digest together: not matched at all. */
const REFERENCE_MAX = 600;

export const DEFAULT_REGISTRY = 'docker.io';

export interface ImageRef {
  /** `docker.io` when the reference names none; `index.docker.io` is read as `docker.io`. */
  registry: string;
  /** The path in the registry: `library/nginx` for an official image on docker.io. */
  repository: string;
  /** The name as written, without tag or digest: `nginx`, `localhost:5000/app`. */
  name: string;
  /** The tag; `latest` when neither a tag nor a digest is written. Absent with a digest only. */
  tag?: string;
  /** The tag was not written: the runtime pulls `latest`. */
  tagDefaulted: boolean;
  /** `sha256:<64 hex>` (or sha384, sha512) when written. */
  digest?: string;
}

export type ParsedImage = { ref: ImageRef; error?: undefined } | { ref?: undefined; error: string };

/** `splitDockerDomain`: the registry and the path in it. */
function splitDomain(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  const isDomain =
    slash !== -1 && (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first);
  let registry = isDomain ? first : DEFAULT_REGISTRY;
  const repository = isDomain ? name.slice(slash + 1) : name;
  if (registry === 'index.docker.io') registry = DEFAULT_REGISTRY;
  const official = registry === DEFAULT_REGISTRY && !repository.includes('/');
  return { registry, repository: official ? `library/${repository}` : repository };
}

function digestError(digest: string): string | undefined {
  const [algorithm = '', hex = ''] = digest.split(':');
  const length = DIGEST_HEX[algorithm];
  if (length === undefined) return `unsupported digest algorithm "${algorithm}"`;
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex))
    return `a ${algorithm} digest is ${length} lower-case hex digits`;
  return undefined;
}

/** Why the runtime refuses a reference that does not match the grammar. */
function mismatch(text: string): string {
  if (/\s/.test(text)) return 'contains white space';
  if (REFERENCE.test(text.toLowerCase())) return 'repository name must be lowercase';
  return 'not a valid image reference (registry/repository:tag@digest)';
}

/** Parses an image reference; `{ error }` says why the runtime would refuse it. */
export function parseImageRef(text: string): ParsedImage {
  if (!text) return { error: 'no image given' };
  if (text.length > REFERENCE_MAX) return { error: `longer than any valid reference` };
  if (IDENTIFIER.test(text)) return { error: 'a bare 64-hex identifier names no repository' };
  const m = REFERENCE.exec(text);
  if (!m) return { error: mismatch(text) };
  const [, name = '', tag, digest] = m;
  if (name.length > NAME_MAX) return { error: `name longer than ${NAME_MAX} characters` };
  const { registry, repository } = splitDomain(name);
  const bad = digest === undefined ? undefined : digestError(digest);
  if (bad) return { error: bad };
  const tagDefaulted = tag === undefined && digest === undefined;
  return {
    ref: {
      registry,
      repository,
      name,
      ...(tag !== undefined ? { tag } : tagDefaulted ? { tag: 'latest' } : {}),
      tagDefaulted,
      ...(digest !== undefined ? { digest } : {}),
    },
  };
}

/** No digest, and the tag is `latest` (written or not): what it names can change at any time. */
export const isMutable = (ref: ImageRef): boolean => !ref.digest && ref.tag === 'latest';
