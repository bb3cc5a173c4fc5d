/**
 * The one-line `kubectl apply` remedies: pasted into sh (a stand-in kubectl keeps what it
 * reads), kubectl is given exactly the YAML lines, whatever quote, backslash or percent
 * sign they hold.
 */
import { describe, expect, it } from 'vitest';
import { kubectlApplyCommand } from '../../src/operations/kube/apply-command.js';
import { pasteWithKubectl } from '../support/paste.js';

describe('kubectlApplyCommand', () => {
  it('hands kubectl apply -f - the lines as written', async () => {
    const lines = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      "  name: it's-100%",
      'data:',
      '  path: C:\\temp\\new',
      '  format: "%s %d \\n"',
    ];
    const { args, stdin } = await pasteWithKubectl(kubectlApplyCommand(lines));
    expect(args).toEqual(['apply', '-f', '-']);
    expect(stdin).toBe(`${lines.join('\n')}\n`);
  });
});
