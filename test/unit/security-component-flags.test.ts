/**
 * A component's command line read as pflag reads it: `=` and two-word values, booleans
 * alone, repeated flags, the binary, and the words each flag was written as.
 */
import { describe, expect, it } from 'vitest';
import {
  boolFlag,
  listFlag,
  parseBool,
  parseComponentCommand,
} from '../../src/operations/security/component-flags.js';
import { kubeadmCommand } from '../support/kube-static-pods.js';

const parse = (...words: string[]) => parseComponentCommand(words);
const values = (words: string[]) =>
  Object.fromEntries([...parseComponentCommand(words).flags].map(([k, f]) => [k, f.value]));

describe('parsing a component command line', () => {
  it("reads kubeadm's kube-apiserver command: the binary, then every --name=value", () => {
    const cmd = parseComponentCommand(kubeadmCommand('kube-apiserver'));
    expect(cmd.binary).toBe('kube-apiserver');
    expect(cmd.flags.size).toBe(27);
    expect(cmd.positional).toEqual([]);
    expect(cmd.flags.get('authorization-mode')).toEqual({
      name: 'authorization-mode',
      value: 'Node,RBAC',
      words: ['--authorization-mode=Node,RBAC'],
    });
    expect(cmd.flags.get('etcd-servers')?.value).toBe('https://127.0.0.1:2379');
    expect(listFlag(cmd, 'authorization-mode')).toEqual(['Node', 'RBAC']);
    expect(listFlag(cmd, 'enable-admission-plugins')).toEqual(['NodeRestriction']);
    expect(cmd.flags.has('profiling')).toBe(false);
  });

  it('takes the next word as the value of a non-boolean flag and keeps both words', () => {
    const cmd = parse('kube-scheduler', '--bind-address', '0.0.0.0', '--leader-elect');
    expect(cmd.flags.get('bind-address')).toEqual({
      name: 'bind-address',
      value: '0.0.0.0',
      words: ['--bind-address', '0.0.0.0'],
    });
    expect(cmd.flags.get('leader-elect')?.value).toBe('true');
  });

  it('reads a boolean alone as true and never takes the next word as its value', () => {
    expect(values(['kube-apiserver', '--profiling'])).toEqual({ profiling: 'true' });
    expect(values(['kube-apiserver', '--profiling=false'])).toEqual({ profiling: 'false' });
    const cmd = parse('kube-apiserver', '--profiling', 'false', '--anonymous-auth', 'false');
    expect(boolFlag(cmd, 'profiling', false)).toBe(true);
    expect(boolFlag(cmd, 'anonymous-auth', false)).toBe(true);
    expect(cmd.positional).toEqual(['false', 'false']);
  });

  it('lets the last of a repeated flag win, with the words it was written as', () => {
    const cmd = parse('kube-apiserver', '--profiling=false', '--secure-port=6443', '--profiling');
    expect(cmd.flags.get('profiling')).toEqual({
      name: 'profiling',
      value: 'true',
      words: ['--profiling'],
    });
    expect([...cmd.flags.keys()]).toEqual(['secure-port', 'profiling']);
  });

  it('has no binary when the command starts with a flag (args only), and stops at --', () => {
    const cmd = parse('--v=2', '-v', '4', '--', '--profiling=true');
    expect(cmd.binary).toBeUndefined();
    expect(values(['--v=2', '--x'])).toEqual({ v: '2', x: 'true' });
    expect(cmd.flags.get('v')?.words).toEqual(['-v', '4']);
    expect(cmd.flags.has('profiling')).toBe(false);
    expect(cmd.positional).toEqual(['--profiling=true']);
  });

  it('keeps an empty value and values holding = signs', () => {
    expect(values(['x', '--feature-gates=A=true,B=false', '--etcd-prefix='])).toEqual({
      'feature-gates': 'A=true,B=false',
      'etcd-prefix': '',
    });
  });

  it("reads booleans as Go's strconv.ParseBool does, the default when unset", () => {
    for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) expect(parseBool(t)).toBe(true);
    for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) expect(parseBool(f)).toBe(false);
    expect(parseBool('yes')).toBeUndefined();
    expect(boolFlag(parse('kube-apiserver'), 'anonymous-auth', true)).toBe(true);
    expect(boolFlag(parse('kube-apiserver', '--anonymous-auth=0'), 'anonymous-auth', true)).toBe(
      false,
    );
  });
});
