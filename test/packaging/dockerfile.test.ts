/**
 * The Dockerfile and .dockerignore, read as text (no Docker engine runs here): pinned
 * LTS base images, a numeric non-root user in the final stage, a health check, the
 * entrypoint operators rely on, production dependencies only, nothing secret copied
 * in, and a build context that leaves dependencies, history, snapshots and tests out.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QUORUM_NODE_FLAGS } from '../support/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!buffer && /^\s*(#|$)/.test(line)) return;
    if (buffer && /^\s*#/.test(line)) return; // comment lines inside a continuation
    if (!buffer) start = i + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(buffer);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buffer = '';
  });
  return out;
}

function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ image: m[1]!, name: m[2], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}

const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(dockerfile);
const stages = stagesOf(instructions);
const final = stages.at(-1)!;
const inFinal = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);
const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));

describe('Dockerfile', () => {
  it('is multi-stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
  });

  it('builds every stage from a pinned Node LTS slim image, never latest', () => {
    for (const stage of stages) {
      if (stageNames.has(stage.image)) continue; // FROM an earlier stage
      const m =
        /^(?:docker\.io\/(?:library\/)?)?node:(\d+)\.(\d+)\.(\d+)-([a-z]+)-slim(@sha256:[a-f0-9]{64})?$/.exec(
          stage.image,
        );
      expect(m, `${stage.image} is not node:<major.minor.patch>-<debian>-slim`).not.toBeNull();
      expect(stage.image).not.toMatch(/:latest|:lts|:current/);
      const major = Number(m![1]);
      // Even majors from 20 on are LTS lines.
      expect(major % 2, `Node ${major} is not an LTS line`).toBe(0);
      expect(major).toBeGreaterThanOrEqual(20);
    }
    // One base for every stage: what is compiled is what runs.
    expect(new Set(stages.map((s) => s.image).filter((i) => !stageNames.has(i))).size).toBe(1);
  });

  it('ships the very Node release CI tests on, and engines refuses older majors', () => {
    const image = stages.find((s) => !stageNames.has(s.image))!.image;
    const shipped = /node:(\d+\.\d+\.\d+)/.exec(image)?.[1];
    const ci = /^QUORUM_NODE_VERSION=(\S+)$/m.exec(
      readFileSync(path.join(ROOT, '.ci/node.sh'), 'utf8'),
    )?.[1];
    expect(shipped).toBe(ci);
    const major = Number(shipped!.split('.')[0]);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe(`>=${major}`);
    // npm refuses (not only warns about) an unsupported engine.
    expect(readFileSync(path.join(ROOT, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
    // And this suite itself runs on that major (in CI: .ci/run puts it first on PATH).
    expect(process.versions.node.split('.')[0]).toBe(String(major));
  });

  it('runs the final stage as a numeric non-root user', () => {
    const users = inFinal('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.args;
    const m = /^(\d+)(?::(\d+))?$/.exec(user);
    expect(m, `USER ${user} is not numeric (uid or uid:gid)`).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    if (m![2] !== undefined) expect(Number(m![2])).toBeGreaterThan(0);
    // Nothing runs as root after the user switch.
    const userIndex = final.instructions.lastIndexOf(users.at(-1)!);
    expect(final.instructions.slice(userIndex).filter((i) => i.keyword === 'RUN')).toEqual([]);
  });

  it('has a health check on /healthz using node (no curl in slim images)', () => {
    const checks = inFinal('HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const check = checks[0]!.args;
    expect(check).not.toMatch(/^NONE/i);
    expect(check).toMatch(/CMD\s+\["node",/);
    expect(check).toContain('/healthz');
    expect(check).not.toMatch(/curl|wget/);
  });

  it('starts `quorum start` by default, and takes any other role as arguments', () => {
    // With the same node flags as the `quorum` binary's shebang (what `npx quorum` runs).
    expect(inFinal('ENTRYPOINT').map((i) => JSON.parse(i.args) as unknown)).toEqual([
      ['node', ...QUORUM_NODE_FLAGS, 'dist/src/main.js'],
    ]);
    expect(QUORUM_NODE_FLAGS).toContain('--max-semi-space-size=4');
    expect(inFinal('CMD').map((i) => JSON.parse(i.args) as unknown)).toEqual([['start']]);
  });

  it('writes snapshots to the volume path the chart mounts, and nothing else needs a writable root', () => {
    const env = inFinal('ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/QUORUM_SNAPSHOT_DIR=\/var\/lib\/quorum\/snapshots(\s|$)/);
    expect(env).toMatch(/HOME=\/tmp(\s|$)/);
    expect(inFinal('VOLUME').map((i) => i.args)).toEqual(['["/var/lib/quorum/snapshots"]']);
  });

  it('ships production dependencies from the lock file and the compiled output only', () => {
    const runs = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN'));
    const installs = runs.map((r) => r.args).filter((a) => /\bnpm (ci|install|i)\b/.test(a));
    expect(installs.length).toBeGreaterThan(0);
    // Always from the lock file, never `npm install`, never running packages' scripts.
    for (const a of installs) {
      expect(a).toMatch(/\bnpm ci\b/);
      expect(a).toContain('--ignore-scripts');
    }
    const copies = inFinal('COPY').map((i) => i.args);
    const fromStages = copies.filter((a) => a.includes('--from='));
    expect(copies.filter((a) => !a.includes('--from='))).toEqual([]);
    // node_modules come from a stage that installed with --omit=dev.
    const modules = fromStages.find((a) => /\/node_modules\s/.test(a));
    expect(modules).toBeDefined();
    const depsStage = stages.find((s) => s.name === /--from=(\S+)/.exec(modules!)![1]);
    expect(
      depsStage!.instructions.some(
        (i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev.*--ignore-scripts/.test(i.args),
      ),
    ).toBe(true);
    const sources = fromStages
      .filter((a) => !a.includes('--from=etcd'))
      .map((a) => a.split(/\s+/).filter((w) => !w.startsWith('--'))[0]);
    expect(sources.sort()).toEqual([
      '/app/dist/src',
      '/app/node_modules',
      '/app/package.json',
      '/app/runbooks',
    ]);
  });

  it("carries etcd, etcdctl and etcdutl 3.5 (Debian 13's packages) on PATH for restore drills", () => {
    const copy = inFinal('COPY').find((i) => /--from=etcd\b/.test(i.args));
    expect(copy, 'a COPY --from=etcd in the final stage').toBeDefined();
    const words = copy!.args.split(/\s+/).filter((w) => !w.startsWith('--'));
    expect(
      words
        .slice(0, -1)
        .map((w) => path.basename(w))
        .sort(),
    ).toEqual(['etcd', 'etcdctl', 'etcdutl']);
    expect(words.at(-1)).toBe('/usr/local/bin/');
    // Owned by root, so the quorum user cannot replace what it runs.
    expect(copy!.args).toContain('--chown=0:0');
    const stage = stages.find((s) => s.name === 'etcd');
    const run = stage?.instructions.find((i) => i.keyword === 'RUN')?.args ?? '';
    expect(run).toMatch(/Suites: trixie/);
    expect(run).toMatch(/apt-get .*download etcd-server etcd-client/);
    expect(run).toMatch(/dpkg-deb -x/);
    // The build fails unless what was unpacked is etcd 3.5 with its etcdutl.
    expect(run).toMatch(/etcd --version \| grep -q 'etcd Version: 3\\\.5\\\.'/);
    expect(run).toMatch(/etcdutl version/);
  });

  it('ships the built-in runbooks, read at start from runbooks/ beside package.json', () => {
    expect(existsSync(path.join(ROOT, 'runbooks'))).toBe(true);
    expect(inFinal('COPY').some((i) => /\/app\/runbooks\s+\.\/runbooks$/.test(i.args))).toBe(true);
  });

  it('copies nothing secret and bakes no credential into the image', () => {
    const copies = stages.flatMap((s) =>
      s.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD'),
    );
    expect(stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ADD'))).toEqual([]);
    for (const c of copies) {
      const words = c.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const sources = words.slice(0, -1);
      for (const source of sources) {
        expect(source, `line ${c.line}`).not.toMatch(
          /(^|\/)\.env|\.npmrc|\.pem$|\.key$|\.crt$|id_[rd]sa|secret|token|kubeconfig|^\.$|^\.\/$/i,
        );
      }
    }
    for (const i of instructions.filter((x) => x.keyword === 'ENV' || x.keyword === 'ARG')) {
      expect(i.args, `line ${i.line}`).not.toMatch(/(TOKEN|SECRET|PASSWORD|_KEY)\s*=/i);
    }
  });

  it('copies only sources that exist and that .dockerignore lets through', () => {
    const ignored = dockerignore();
    for (const stage of stages) {
      for (const c of stage.instructions.filter((i) => i.keyword === 'COPY')) {
        if (c.args.includes('--from=')) continue;
        const words = c.args.split(/\s+/).filter((w) => !w.startsWith('--'));
        for (const source of words.slice(0, -1)) {
          expect(existsSync(path.join(ROOT, source)), source).toBe(true);
          expect(ignored, source).not.toContain(source);
        }
      }
    }
  });
});

function dockerignore(): string[] {
  return readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

describe('.dockerignore', () => {
  it('keeps dependencies, history, snapshots and tests out of the build context', () => {
    const lines = dockerignore();
    for (const entry of ['node_modules', '.git', 'snapshots', 'test', 'dist']) {
      expect(lines, entry).toContain(entry);
    }
  });

  it('keeps credentials out wherever they lie', () => {
    const lines = dockerignore();
    for (const entry of ['**/.env', '**/.env.*', '**/.npmrc', '**/*.pem', '**/*.key']) {
      expect(lines, entry).toContain(entry);
    }
    // No re-inclusion of anything.
    expect(lines.filter((l) => l.startsWith('!'))).toEqual([]);
  });
});
