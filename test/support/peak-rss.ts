/**
 * Preloaded into a child process (`node --import test/support/peak-rss.ts …`): at exit it
 * writes the process's peak resident set (VmHWM from /proc/self/status, in kB) to the file
 * QUORUM_TEST_PEAK_RSS_FILE names. Measures the whole process, as an operator's `ps` would.
 */
import { readFileSync, writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.QUORUM_TEST_PEAK_RSS_FILE;
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (file && kb) writeFileSync(file, kb);
});
