/** The blob of etcd's SnapshotResponse, read off the wire without a protobuf library. */
import { describe, expect, it } from 'vitest';
import { snapshotBlob } from '../../src/clients/snapshot-blob.js';

const varint = (n: number) => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
};
const field = (no: number, wire: number, body: Buffer) =>
  Buffer.concat([varint(no * 8 + wire), wire === 2 ? varint(body.length) : Buffer.alloc(0), body]);

describe('snapshotBlob', () => {
  it('finds the blob after the header and the remaining bytes, and skips a version it does not know', () => {
    const header = field(1, 2, Buffer.concat([field(1, 0, varint(42)), field(3, 0, varint(7))]));
    const blob = Buffer.from('bbolt page bytes');
    const message = Buffer.concat([
      header,
      field(2, 0, varint(2 ** 40)),
      field(3, 2, blob),
      field(4, 2, Buffer.from('3.6.0')),
    ]);
    const got = snapshotBlob(message);
    expect(got.equals(blob)).toBe(true);
    // A slice of the received buffer, not a copy.
    expect(got.buffer).toBe(message.buffer);
  });

  it('a message without a blob gives an empty one; a cut message is an error, not a short blob', () => {
    expect(snapshotBlob(field(2, 0, varint(0))).length).toBe(0);
    const cut = field(3, 2, Buffer.alloc(100)).subarray(0, 50);
    expect(() => snapshotBlob(cut)).toThrow(/cut short/);
  });
});
