/**
 * The CLI's answers to bad input, from the outside: exit status 3, a message that names
 * the mistake and the fix, never a stack trace; with --json, one error object on stdout.
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, tmpDir } from '../support/index.js';
import { quorum, quorumBin } from '../support/cli.js';
import { HELP } from '../../src/transport/cli/run.js';

interface ErrorJson {
  status: string;
  exitCode: number;
  code: string;
  message: string;
  hint: string | null;
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |node:internal/);

/** stdout is exactly one error object, and nothing is on stderr. */
function errorJson(r: { code: number; stdout: string; stderr: string }): ErrorJson {
  expect(r.code, r.stdout + r.stderr).toBe(3);
  expect(r.stderr).toBe('');
  const body = JSON.parse(r.stdout) as ErrorJson;
  expect(Object.keys(body).sort()).toEqual(['code', 'exitCode', 'hint', 'message', 'status']);
  expect(body).toMatchObject({ status: 'error', exitCode: 3 });
  noStack(body.message);
  return body;
}

/** A TCP listener standing in for etcd, counting who connects: nobody should. */
let listener: net.Server;
let connections = 0;
let env: Record<string, string>;
beforeAll(async () => {
  listener = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  env = { ETCDCTL_ENDPOINTS: `http://127.0.0.1:${port}` };
});
afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

/** Every command of `quorum help`, with the words that name it. */
const COMMANDS = HELP.split('\n')
  .filter((line) => line.startsWith('  quorum '))
  .map((line) => {
    const words = line.trim().split(' ');
    const end = words.findIndex((w, i) => i > 0 && !/^[a-z][a-z-]*$/.test(w));
    return words.slice(1, end === -1 ? undefined : end);
  });

describe('unknown flags', () => {
  it('quorum etcd check --jsn names the flag, suggests --json and shows the usage', async () => {
    const r = await quorum(['etcd', 'check', '--jsn'], env);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'quorum: Unknown flag --jsn for quorum etcd check.\n' +
        'Did you mean --json?\n' +
        'Usage: quorum etcd check [--cluster NAME] [--json] [--timeout 5s]\n',
    );
  });

  it('every command answers an unknown flag with its usage, not parseArgs text', async () => {
    expect(COMMANDS.length).toBeGreaterThan(10);
    for (const words of COMMANDS) {
      const r = await quorum([...words, '--bogus-flag'], env);
      const name = `quorum ${words.join(' ')}`;
      expect(r.code, name).toBe(3);
      expect(r.stderr, name).toContain(`Unknown flag --bogus-flag for ${name}.`);
      expect(r.stderr, name).toContain(`Usage: ${name}`);
      expect(r.stderr, name).not.toMatch(/Unknown option|positional argument starting with/);
    }
    expect(connections).toBe(0);
  });

  it('a flag without its value, and a cluster given without --cluster', async () => {
    const missing = await quorum(['upgrade', 'check', '--to'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('--to needs a value.\nWrite e.g. --to VERSION.');
    const positional = await quorum(['etcd', 'check', 'prod'], env);
    expect(positional.code).toBe(3);
    expect(positional.stderr).toContain('Unexpected argument "prod".');
    expect(positional.stderr).toContain('Name a cluster with --cluster prod.');
  });
});

describe('--timeout', () => {
  const commands = [
    ['etcd', 'check'],
    ['security', 'audit'],
    ['upgrade', 'check', '--to', 'v1.32.0'],
  ];
  it('0, negative or garbage: must be a duration above zero, exit 3, nothing runs', async () => {
    for (const command of commands)
      for (const value of ['0', '0s', '-5s', 'abc']) {
        const r = await quorum([...command, '--timeout', value], env);
        const what = `${command.join(' ')} --timeout ${value}`;
        expect(r.code, what).toBe(3);
        expect(r.stdout, what).toBe('');
        expect(r.stderr, what).toBe(
          `quorum: --timeout "${value}" is not a duration above zero.\n` +
            'Write e.g. --timeout 5s or --timeout 500ms (units ms, s, m, h, d, w).\n',
        );
      }
    expect(connections).toBe(0);
  });

  it('is checked before the config: a bad variable does not hide it', async () => {
    const r = await quorum(['etcd', 'check', '--timeout', '0'], { ETCDCTL_ENDPOINTS: 'nope:1/x' });
    expect(r.stderr).toContain('--timeout "0" is not a duration above zero.');
  });
});

describe('--json errors', () => {
  it('a bad flag', async () => {
    const body = errorJson(await quorum(['etcd', 'check', '--json', '--jsn'], env));
    expect(body).toMatchObject({
      code: 'USAGE',
      message: 'Unknown flag --jsn for quorum etcd check.',
    });
    expect(body.hint).toContain('Did you mean --json?');
    const timeout = errorJson(await quorum(['etcd', 'check', '--json', '--timeout', '0'], env));
    expect(timeout.message).toBe('--timeout "0" is not a duration above zero.');
  });

  it('an unknown command, an unknown cluster, a bad variable', async () => {
    expect(errorJson(await quorum(['etcd', 'chek', '--json'], env)).hint).toContain(
      'Did you mean: quorum etcd check?',
    );
    const cluster = errorJson(await quorum(['etcd', 'check', '--json', '--cluster', 'prod'], env));
    expect(cluster).toMatchObject({ code: 'CLUSTER_UNKNOWN' });
    expect(cluster.message).toContain('No cluster named "prod"');
    const bad = errorJson(
      await quorum(['etcd', 'check', '--json'], { ETCDCTL_ENDPOINTS: 'x:1/y' }),
    );
    expect(bad.code).toBe('CONFIG_INVALID');
    expect(bad.message).toContain('ETCDCTL_ENDPOINTS (item 1): is not an etcd client URL');
  });

  it('a command that could not run: Redis unreachable for audit-log', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const body = errorJson(await quorum(['audit-log', '--json'], { REDIS_URL: url }));
    expect(body.code).toBe('REDIS_UNREACHABLE');
    expect(body.message).toContain(`cannot read the audit log from Redis at ${url}`);
    expect(body.hint).toContain('REDIS_URL');
  });
});

describe('from the built binary', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tmpDir('quorum-cli-errors-');
  });

  it('--json: broken YAML is one JSON object on stdout, stderr empty', async () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'clusters:\n  - name: prod\n    etcd: {endpoints: [http://a:1]\n');
    const body = errorJson(await quorumBin(['etcd', 'check', '--json'], { QUORUM_CONFIG: file }));
    expect(body.code).toBe('CONFIG_UNREADABLE');
    expect(body.message).toMatch(/broken\.yaml: not valid YAML at line \d+/);
  });

  it('a file where a directory is needed: the path and the fix, no stack trace', async () => {
    const file = path.join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const r = await quorumBin(['etcd', 'snapshots', '--dir', file], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`A part of ${file} is not a directory: name another path.`);
    expect(r.stderr).not.toContain('This is unexpected');
    noStack(r.stderr);
    const body = errorJson(await quorumBin(['etcd', 'snapshots', '--dir', file, '--json'], env));
    expect(body.code).toBe('FILE_ACCESS_FAILED');
  });

  it('an unknown flag', async () => {
    const r = await quorumBin(['upgrade', 'check', '--to', 'v1.32.0', '--alow-prerelease'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Did you mean --allow-prerelease?');
    noStack(r.stderr);
  });
});
