/** Keeps the last `capacity` bytes written to it: a server's most recent log lines. */
export class RingBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly capacity = 8 * 1024) {}

  push(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.chunks.push(buffer);
    this.size += buffer.length;
    // Drop whole chunks from the front while the rest still fills the capacity.
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= this.capacity) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.capacity)).toString('utf8');
  }
}
