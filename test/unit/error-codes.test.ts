import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/domain/errors.js';

describe('error codes', () => {
  it('every code is documented in docs/errors.md', () => {
    const readme = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CODES))
      expect(readme).toMatch(new RegExp(`\\| \`${code}\` +\\|`));
  });
});
