/**
 * Which budget refused an eviction, read from the API server's 429 Status — and no
 * name rather than a wrong one when the Status says something else.
 */
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { evictionOutcome, refusingBudget } from '../../src/clients/kube-eviction.js';

/** The Status kube-apiserver sends when a budget refuses (pkg/registry/core/pod/storage/eviction.go). */
const refused = (message: unknown, reason: unknown = 'DisruptionBudget') =>
  JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    reason: 'TooManyRequests',
    details: { causes: [{ reason, message }] },
    code: 429,
  });
const fail = (code: number, body: unknown) =>
  Promise.reject(new ApiException(code, `HTTP ${code}`, body, {}));

describe('the budget a refused eviction names', () => {
  it('reads the name from the DisruptionBudget cause', () => {
    const body = refused('The disruption budget db-pdb needs 2 healthy pods and has 2 currently');
    expect(refusingBudget(body)).toBe('db-pdb');
    expect(refusingBudget(JSON.parse(body))).toBe('db-pdb');
    const processing = refused(
      'The disruption budget web.v2 is still being processed by the server.',
    );
    expect(refusingBudget(processing)).toBe('web.v2');
  });

  it('names none for other causes, other messages, odd shapes or text', () => {
    expect(
      refusingBudget(refused('The disruption budget db-pdb needs…', 'FieldValueInvalid')),
    ).toBe(undefined);
    expect(refusingBudget(refused('too many requests, please try again later'))).toBe(undefined);
    expect(refusingBudget(refused('The disruption budget Not_A_Name needs 2'))).toBe(undefined);
    expect(refusingBudget(refused(42))).toBe(undefined);
    for (const body of [
      'Too many requests',
      '',
      'null',
      '{"details":{"causes":"x"}}',
      undefined,
      7,
    ])
      expect(refusingBudget(body)).toBe(undefined);
  });

  it('says what the eviction came to: evicted, gone, blocked by a budget or unnamed', async () => {
    expect(await evictionOutcome(Promise.resolve({}))).toBe('evicted');
    expect(await evictionOutcome(fail(404, '{}'))).toBe('gone');
    expect(
      await evictionOutcome(
        fail(429, refused('The disruption budget db-pdb needs 2 healthy pods')),
      ),
    ).toEqual({ outcome: 'blocked', budget: 'db-pdb' });
    expect(await evictionOutcome(fail(429, 'slow down'))).toEqual({ outcome: 'blocked' });
    await expect(evictionOutcome(fail(500, '{}'))).rejects.toBeInstanceOf(ApiException);
  });
});
