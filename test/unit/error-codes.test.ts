import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/domain/errors.js';

describe('error codes', () => {
  it('every code is documented in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CODES))
      expect(readme).toMatch(new RegExp(`\\| \`${code}\` +\\|`));
  });
});
