/**
 * The one field a snapshot stream needs of etcd's `SnapshotResponse` (header = 1,
 * remaining_bytes = 2, blob = 3, version = 4): its `blob`, read straight off the wire as
 * a slice of the received buffer, with no protobuf library and no copy. Fields it does
 * not know are skipped by their wire type, as protobuf requires.
 */

const EMPTY = Buffer.alloc(0);

/** The `blob` (field 3) of an encoded SnapshotResponse; empty when it has none. */
export function snapshotBlob(message: Buffer): Buffer {
  let pos = 0;
  let blob: Buffer = EMPTY;
  while (pos < message.length) {
    const [key, afterKey] = varint(message, pos);
    pos = afterKey;
    const field = Math.floor(key / 8);
    switch (key % 8) {
      case 0: // varint
        pos = varint(message, pos)[1];
        break;
      case 1: // 64-bit
        pos += 8;
        break;
      case 2: {
        const [length, start] = varint(message, pos);
        pos = start + length;
        if (pos > message.length) throw new Error('SnapshotResponse is cut short');
        if (field === 3) blob = message.subarray(start, pos);
        break;
      }
      case 5: // 32-bit
        pos += 4;
        break;
      default:
        throw new Error(`SnapshotResponse has an unknown wire type ${key % 8}`);
    }
  }
  return blob;
}

/** A base-128 varint at `pos`: its value (exact up to 2^53) and the position after it. */
function varint(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < buf.length && i < pos + 10; i++) {
    const byte = buf[i] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, i + 1];
    scale *= 128;
  }
  throw new Error('SnapshotResponse has a broken varint');
}
