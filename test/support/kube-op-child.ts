/**
 * Runs one Kubernetes operation of the built program (dist/) in its own process, for
 * tests that measure a whole process's memory (with peak-rss.ts preloaded): node
 * diagnosis or a drain, against the kubeconfig in KUBECONFIG. Prints the report as JSON.
 * Usage: node --import ./peak-rss.ts kube-op-child.ts diagnose|drain NODE [CONCURRENCY]
 */
import path from 'node:path';

const dist = (file: string) => path.resolve(import.meta.dirname, '../../dist/src', file);
const { kubeClient } = (await import(
  dist('clients/kube.js')
)) as typeof import('../../src/clients/kube.js');
const { drainNode } = (await import(
  dist('operations/kube/drain.js')
)) as typeof import('../../src/operations/kube/drain.js');
const { diagnoseNode } = (await import(
  dist('operations/kube/node-diagnosis.js')
)) as typeof import('../../src/operations/kube/node-diagnosis.js');

const [op, node = '', concurrency = '5'] = process.argv.slice(2);
const client = kubeClient({});
const input = { cluster: 'prod', node, timeoutMs: 10_000 };
const report =
  op === 'drain'
    ? await drainNode(client, {
        ...input,
        concurrency: Number(concurrency),
        retryIntervalMs: 200,
        retryLimitMs: 2_000,
      })
    : await diagnoseNode(client, input);
process.stdout.write(JSON.stringify(report));
