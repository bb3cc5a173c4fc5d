/** A read's value, or why it failed (described for the report): one part failing is not all failing. */
import { describeError } from '../../domain/errors.js';

export type Outcome<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

export async function outcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await work() };
  } catch (err) {
    return { error: describeError(err) };
  }
}
