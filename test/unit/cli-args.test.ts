import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { QuorumError } from '../../src/domain/errors.js';
import { optionalDuration, parseFlags } from '../../src/transport/cli/args.js';
import type { CliDeps } from '../../src/transport/cli/io.js';
import { runCli } from '../../src/transport/cli/run.js';

const USAGE = 'quorum etcd check [--cluster NAME] [--json] [--timeout 5s]';
const OPTIONS = {
  cluster: { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

/** The USAGE error `fn` throws, as `message\nhint`. */
const usageError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(QuorumError);
    expect((err as QuorumError).code).toBe('USAGE');
    return `${(err as QuorumError).message}\n${(err as QuorumError).hint ?? ''}`;
  }
  throw new Error('expected a usage error');
};
const flags = (...args: string[]) => usageError(() => parseFlags(args, OPTIONS, USAGE));

describe('parseFlags', () => {
  it('names an unknown flag, suggests the close one and shows the usage', () => {
    const text = flags('--jsn');
    expect(text).toContain('Unknown flag --jsn for quorum etcd check.');
    expect(text).toContain('Did you mean --json?');
    expect(text).toContain(`Usage: ${USAGE}`);
    expect(text).not.toMatch(/Unknown option|positional argument starting with/);
    expect(flags('--clustr', 'prod')).toContain('Did you mean --cluster?');
    expect(flags('--time', '1s')).toContain('Did you mean --timeout?');
  });

  it('lists the flags when nothing is close, for long and short flags alike', () => {
    for (const text of [flags('--verbose'), flags('-x'), flags('--to', 'v1')]) {
      expect(text).toContain('quorum etcd check takes --cluster, --json, --timeout.');
      expect(text).toContain(`Usage: ${USAGE}`);
    }
  });

  it('says when a flag needs a value, or takes none', () => {
    expect(flags('--cluster')).toMatch(/--cluster needs a value\.\nWrite e\.g\. --cluster NAME\./);
    expect(flags('--cluster', '--json')).toContain('--cluster needs a value.');
    expect(flags('--timeout=')).toContain('Write e.g. --timeout 5s.');
    expect(flags('--json=yes')).toContain('--json takes no value.');
  });

  it('keeps values, flags and positionals (also a value that starts with a dash)', () => {
    const { values, positionals } = parseFlags(
      ['a', '--cluster', 'prod', '--json', '--timeout', '-5s', '--', '--not-a-flag'],
      OPTIONS,
      USAGE,
    );
    expect(values).toEqual({ cluster: 'prod', json: true, timeout: '-5s' });
    expect(positionals).toEqual(['a', '--not-a-flag']);
  });
});

describe('optionalDuration', () => {
  it('wants a duration above zero, with examples', () => {
    for (const bad of ['0', '0s', '-5s', 'abc', '', '5']) {
      const text = usageError(() => optionalDuration(bad, '--timeout'));
      expect(text).toContain(`--timeout "${bad}" is not a duration above zero.`);
      expect(text).toContain('e.g. --timeout 5s or --timeout 500ms');
    }
    expect(optionalDuration('500ms', '--timeout')).toBe(500);
    expect(optionalDuration(undefined, '--timeout')).toBeUndefined();
  });
});

/** runCli with deps that record what ran; `loadConfig` does what `config` says. */
function run(argv: string[], config: () => Config = () => ({}) as Config) {
  const calls: string[] = [];
  let stdout = '';
  let stderr = '';
  const log = (level: string) => () => void calls.push(`log.${level}`);
  const deps: CliDeps = {
    loadConfig: () => {
      calls.push('loadConfig');
      return config();
    },
    etcdConnector: () => {
      calls.push('etcdConnector');
      throw new Error('no etcd here');
    },
    kubeConnector: () => {
      calls.push('kubeConnector');
      throw new Error('no Kubernetes here');
    },
    backupConnector: () => {
      calls.push('backupConnector');
      throw new Error('no Kubernetes here');
    },
    runtimeDeps: () => Promise.reject(new Error('no runtime here')),
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  };
  const io = {
    stdout: (t: string) => void (stdout += t),
    stderr: (t: string) => void (stderr += t),
  };
  return runCli(argv, { ...io, env: {} }, deps).then((code) => ({ code, stdout, stderr, calls }));
}

describe('runCli errors', () => {
  it('--timeout 0 stops before the config is read or anything is connected', async () => {
    for (const argv of [
      ['etcd', 'check', '--timeout', '0'],
      ['upgrade', 'check', '--to', 'v1.32.0', '--timeout', '-1s'],
      ['security', 'audit', '--timeout', 'abc'],
      ['backup', 'status', '--timeout', '0'],
    ]) {
      const r = await run(argv);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/--timeout ".*" is not a duration above zero/);
      expect(r.calls).toEqual([]);
    }
  });

  it('security audit --since needs a FILE, before the config is read or anything is connected', async () => {
    const r = await run(['security', 'audit', '--since']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--since needs a value.');
    expect(r.stderr).toContain('Write e.g. --since FILE.');
    expect(r.calls).toEqual([]);
  });

  it('with --json, a config error is a JSON object on stdout and nothing on stderr', async () => {
    const r = await run(['etcd', 'check', '--json'], () => {
      throw new QuorumError('CONFIG_INVALID', 'ETCDCTL_ENDPOINTS is wrong.', 'Fix it.');
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      status: 'error',
      exitCode: 3,
      code: 'CONFIG_INVALID',
      message: 'ETCDCTL_ENDPOINTS is wrong.',
      hint: 'Fix it.',
    });
  });

  it('an unexpected error is INTERNAL: a message and a hint, the stack only in the debug log', async () => {
    const boom = () => {
      throw new TypeError('boom');
    };
    const text = await run(['etcd', 'check'], boom);
    expect(text.code).toBe(3);
    expect(text.stderr).toBe(
      'quorum: boom\nThis is unexpected: run again with LOG_LEVEL=debug and report it.\n',
    );
    expect(text.calls).toEqual(['loadConfig', 'log.debug']);
    const json = await run(['etcd', 'check', '--json'], boom);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'error', code: 'INTERNAL' });
    expect(json.stdout).not.toMatch(/\n\s+at /);
  });

  it('a failed file call is FILE_ACCESS_FAILED, naming the path and what to do', async () => {
    const r = await run(['etcd', 'check', '--json'], () => {
      const err = Object.assign(new Error("EACCES: permission denied, open '/etc/q.yaml'"), {
        code: 'EACCES',
        syscall: 'open',
        path: '/etc/q.yaml',
      });
      throw err;
    });
    expect(JSON.parse(r.stdout)).toEqual({
      status: 'error',
      exitCode: 3,
      code: 'FILE_ACCESS_FAILED',
      message: "EACCES: permission denied, open '/etc/q.yaml'",
      hint: 'This user may not use /etc/q.yaml: fix its permissions or name another path.',
    });
  });

  it('--help after a command prints its usage and exits 0', async () => {
    const r = await run(['etcd', 'check', '--help']);
    expect(r).toMatchObject({ code: 0, stdout: `Usage: ${USAGE}\n`, calls: [] });
  });
});
