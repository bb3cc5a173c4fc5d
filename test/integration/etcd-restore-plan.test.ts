/**
 * The restore plan, taken literally: its commands run as pasted (only the machine-specific
 * paths and ports swapped for temporary ones, `sudo` dropped) against the etcd version under
 * test. 3.5: `etcdutl snapshot restore … --bump-revision`; 3.4: `etcdctl snapshot restore`
 * without it. Either way a three-member etcd started on the restored data dirs serves the
 * keys written before the snapshot.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, quorum } from '../support/cli.js';
import {
  etcd35Bin,
  etcdBin,
  etcdTestVersion,
  freePort,
  runCommand,
  spawnChild,
  startEtcdCluster,
  tmpDir,
  waitFor,
  type EtcdCluster,
} from '../support/index.js';

interface PlanJson {
  exitCode: number;
  findings: { id: string; severity: string; title: string }[];
  data: {
    file: string;
    membersFrom: string;
    members: { name: string; peerUrls: string[] }[];
    tool: { command: string; bumpsRevision: boolean; etcdVersion?: string; versionFrom: string };
    text: string;
  };
}

const version = etcdTestVersion();
const BUMP = 1_000_000_000;
const KEY = '/registry/configmaps/default/c7';

/** The words bash makes of `line` (quotes and all), without running anything but printf. */
async function shellWords(line: string): Promise<string[]> {
  const r = await runCommand('bash', ['-c', `printf '%s\\0' ${line}`], { env: cleanEnv() });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
}

/** Each `sudo <tool> snapshot restore` command of the plan, continuation lines joined. */
function restoreCommands(text: string): string[] {
  const lines = text.split('\n');
  const commands: string[] = [];
  lines.forEach((l, i) => {
    if (!/^sudo \S+ snapshot restore /.test(l)) return;
    let command = '';
    for (let j = i; j < lines.length; j++) {
      const part = lines[j]!.trim();
      command += ` ${part.replace(/\\$/, '').trim()}`;
      if (!part.endsWith('\\')) break;
    }
    commands.push(command.trim());
  });
  return commands;
}

/** The flags a command passes (`--name`, …). */
const flagsOf = (command: string) => [...command.matchAll(/\s(--[a-z-]+)/g)].map((m) => m[1]!);

/** Runs `command` in bash with `bin` first on PATH and no ETCDCTL_* in the environment. */
const runInBash = (command: string, bin: string, cwd: string) =>
  runCommand('bash', ['-c', command], {
    cwd,
    env: cleanEnv({ PATH: `${bin}:${process.env.PATH ?? ''}` }),
    timeoutMs: 60_000,
  });

interface Restored {
  name: string;
  dataDir: string;
  peerUrl: string;
  clientUrl: string;
}

/** Starts an etcd on each restored data dir and reads `key` once all are healthy. */
async function startRestored(etcd: string, members: Restored[], key: string) {
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  const children = members.map((m) =>
    spawnChild(etcd, [
      ...['--name', m.name, '--data-dir', m.dataDir, '--logger=zap', '--log-level=error'],
      ...['--listen-client-urls', m.clientUrl, '--advertise-client-urls', m.clientUrl],
      ...['--listen-peer-urls', m.peerUrl, '--initial-advertise-peer-urls', m.peerUrl],
      ...['--initial-cluster', initialCluster, '--heartbeat-interval', '10'],
      ...['--election-timeout', '100'],
    ]),
  );
  const client = new Etcd3({ hosts: members.map((m) => m.clientUrl) });
  const each = members.map((m) => new Etcd3({ hosts: m.clientUrl, dialTimeout: 500 }));
  try {
    await waitFor(
      async () => {
        const up = await Promise.all(
          each.map((c) =>
            c.maintenance
              .status()
              .then(() => true)
              .catch(() => false),
          ),
        );
        return up.every(Boolean) && (await client.get(key).catch(() => null)) !== null;
      },
      { what: 'the restored members', timeoutMs: 20_000 },
    );
    const value = await client.get(key).string();
    const revision = Number((await client.maintenance.status()).header.revision);
    return { value, revision };
  } finally {
    client.close();
    for (const c of each) c.close();
    for (const c of children) c.kill('SIGKILL');
  }
}

describe(`the restore plan, run as pasted (etcd ${version})`, () => {
  let etcd: EtcdCluster;
  let env: Record<string, string>;
  let snapshotId: string;
  let snapshotFile: string;
  let snapshotRevision: number;
  let plan: PlanJson;
  beforeAll(async () => {
    etcd = await startEtcdCluster(3);
    const dir = await tmpDir('quorum-plan-snaps-');
    env = { ...etcd.env, QUORUM_SNAPSHOT_DIR: dir, QUORUM_CLUSTER: 'prod' };
    const client = new Etcd3({ hosts: etcd.endpoints });
    for (let i = 0; i < 20; i++)
      await client.put(`/registry/configmaps/default/c${i}`).value(`v${i}`);
    client.close();
    const snap = await quorum(['etcd', 'snapshot', '--json'], env);
    expect(snap.code, snap.stdout).toBe(0);
    const meta = (
      JSON.parse(snap.stdout) as { data: { path: string; meta: { id: string; revision: number } } }
    ).data;
    [snapshotId, snapshotFile, snapshotRevision] = [meta.meta.id, meta.path, meta.meta.revision];
    const r = await quorum(['etcd', 'restore-plan', snapshotId, '--json'], env);
    expect(r.code, r.stdout).toBe(0);
    plan = JSON.parse(r.stdout) as PlanJson;
  });
  afterAll(() => etcd.close());

  it("names the restore tool of the members' etcd version, with only flags that tool has", async () => {
    const { tool, text } = plan.data;
    expect(tool.versionFrom).toBe('live members');
    expect(tool.etcdVersion).toMatch(new RegExp(`^${version.replace('.', '\\.')}\\.`));
    const commands = restoreCommands(text);
    expect(commands).toHaveLength(3);
    const commandLines = text.split('\n').filter((l) => !l.startsWith('#'));
    if (version === '3.5') {
      expect(tool).toMatchObject({ command: 'etcdutl', bumpsRevision: true });
      expect(commands.every((c) => c.startsWith('sudo etcdutl snapshot restore '))).toBe(true);
      expect(commands.every((c) => c.endsWith(`--bump-revision ${BUMP} --mark-compacted`))).toBe(
        true,
      );
    } else {
      expect(tool).toMatchObject({ command: 'etcdctl', bumpsRevision: false });
      expect(commands.every((c) => c.startsWith('sudo etcdctl snapshot restore '))).toBe(true);
      expect(commandLines.join('\n')).not.toMatch(/--bump-revision|--mark-compacted|etcdutl/);
      expect(text).toMatch(/cannot bump the revision/);
      expect(plan.findings).toContainEqual(
        expect.objectContaining({ id: 'etcd.restore-plan.tool', severity: 'info' }),
      );
    }
    const help = await runCommand(
      etcdBin(tool.command as 'etcdutl'),
      ['snapshot', 'restore', '--help'],
      {
        env: cleanEnv(),
      },
    );
    const known = new Set(
      [...`${help.stdout}${help.stderr}`.matchAll(/--([a-z-]+)/g)].map((m) => `--${m[1]}`),
    );
    for (const flag of new Set(commands.flatMap(flagsOf))) expect(known, flag).toContain(flag);
  });

  it('its verify and sha256sum lines work pasted in another directory, with no snapshot dir configured', async () => {
    const elsewhere = await tmpDir('quorum-elsewhere-');
    const lines = plan.data.text.split('\n');
    const verify = lines.find((l) => l.startsWith('quorum etcd verify '))!;
    expect(verify).toContain(snapshotFile);
    const args = (await shellWords(verify.slice('quorum '.length))).filter(Boolean);
    const cwd = process.cwd();
    process.chdir(elsewhere);
    try {
      const r = await quorum(args, {});
      expect(r.code, `${verify}\n${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('is intact');
      // What the plan used to print does not work there: ./snapshots has no such snapshot.
      const old = await quorum(['etcd', 'verify', snapshotId], {});
      expect(old.code).toBe(3);
      expect(old.stderr).toContain(
        `No snapshot "${snapshotId}" in ${path.join(elsewhere, 'snapshots')}`,
      );
    } finally {
      process.chdir(cwd);
    }
    const sum = lines.find((l) => l.startsWith('sha256sum '))!;
    const expected = /# expect ([0-9a-f]{64})$/.exec(sum)![1];
    const r = await runInBash(sum, '/usr/bin', elsewhere);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split(/\s/)[0]).toBe(expected);
  });

  it('each restore line, run as pasted (temp paths and ports, no sudo), gives data dirs a new cluster serves', async () => {
    const { tool, text, members } = plan.data;
    const work = await tmpDir('quorum-restore-run-');
    const restored: Restored[] = [];
    for (const m of members) {
      restored.push({
        name: m.name,
        dataDir: path.join(work, `${m.name}.etcd`),
        peerUrl: `http://127.0.0.1:${await freePort()}`,
        clientUrl: `http://127.0.0.1:${await freePort()}`,
      });
    }
    const commands = restoreCommands(text);
    for (const [i, command] of commands.entries()) {
      const local = path.join(work, `${members[i]!.name}.db`);
      copyFileSync(snapshotFile, local); // what step 2's scp does
      let swapped = command
        .replace(/^sudo /, '')
        .replace(`/var/tmp/${snapshotId}.db`, local)
        .replace(/--data-dir \S+/, `--data-dir ${restored[i]!.dataDir}`);
      // Every line names all the peers: give each member the same new peer URL everywhere.
      members.forEach(
        (m, j) => (swapped = swapped.replaceAll(m.peerUrls[0]!, restored[j]!.peerUrl)),
      );
      const r = await runInBash(swapped, path.dirname(etcdBin(tool.command as 'etcdutl')), work);
      expect(r.code, `${swapped}\n${r.stderr}`).toBe(0);
    }
    const { value, revision } = await startRestored(etcdBin('etcd'), restored, KEY);
    expect(value).toBe('v7');
    if (tool.bumpsRevision) expect(revision).toBeGreaterThanOrEqual(snapshotRevision + BUMP);
    else expect(revision).toBe(snapshotRevision);
  });

  it.runIf(version === '3.4')(
    "3.4: the plan's alternative, etcdutl 3.5 with --bump-revision, restores a data dir etcd 3.4 serves",
    async () => {
      const alt = /^#\s+(--bump-revision \d+ --mark-compacted)$/m.exec(plan.data.text)?.[1];
      expect(alt).toBe(`--bump-revision ${BUMP} --mark-compacted`);
      const member = plan.data.members[0]!;
      const work = await tmpDir('quorum-restore-alt-');
      const local = path.join(work, 'snap.db');
      copyFileSync(snapshotFile, local);
      const next = {
        name: member.name,
        dataDir: path.join(work, 'data'),
        peerUrl: `http://127.0.0.1:${await freePort()}`,
        clientUrl: `http://127.0.0.1:${await freePort()}`,
      };
      const command = `${restoreCommands(plan.data.text)[0]!} ${alt}`
        .replace(/^sudo etcdctl /, 'etcdutl ')
        .replace(`/var/tmp/${snapshotId}.db`, local)
        .replace(/--data-dir \S+/, `--data-dir ${next.dataDir}`)
        .replace(/--initial-cluster \S+/, `--initial-cluster ${member.name}=${next.peerUrl}`)
        .replace(
          /--initial-advertise-peer-urls \S+/,
          `--initial-advertise-peer-urls ${next.peerUrl}`,
        );
      const r = await runInBash(command, path.dirname(etcd35Bin('etcdutl')), work);
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      const { value, revision } = await startRestored(etcdBin('etcd'), [next], KEY);
      expect(value).toBe('v7');
      expect(revision).toBeGreaterThanOrEqual(snapshotRevision + BUMP);
    },
  );

  it('the plan made from the snapshot metadata (cluster down) names the same tool and a working verify line', async () => {
    const r = await quorum(['etcd', 'restore-plan', snapshotId, '--json'], {
      ...env,
      ETCDCTL_ENDPOINTS: 'http://127.0.0.1:9',
    });
    const offline = JSON.parse(r.stdout) as PlanJson;
    expect(offline.data.membersFrom).toBe('snapshot metadata');
    expect(offline.data.tool).toMatchObject({
      command: plan.data.tool.command,
      versionFrom: 'snapshot metadata',
    });
    expect(offline.data.text).toContain(`quorum etcd verify ${snapshotFile}`);
    expect(readFileSync(snapshotFile).length).toBeGreaterThan(0);
  });
});
