/** Filling a real etcd with large values, fast (several writers at once). */
import { Etcd3 } from 'etcd3';

export interface FillOptions {
  /** Total bytes of values to write. */
  bytes: number;
  valueSize?: number;
  prefix?: string;
  writers?: number;
}

export async function fillEtcd(endpoints: string[], opts: FillOptions): Promise<number> {
  const valueSize = opts.valueSize ?? 1024 * 1024;
  const count = Math.ceil(opts.bytes / valueSize);
  const value = Buffer.alloc(valueSize, 'q');
  const client = new Etcd3({ hosts: endpoints });
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < count; i = next++) {
      await client.put(`${opts.prefix ?? 'fill/'}${String(i).padStart(6, '0')}`).value(value);
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.writers ?? 4 }, writer));
  } finally {
    client.close();
  }
  return count;
}
