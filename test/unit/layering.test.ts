/**
 * The layer rules bite: dependency-cruiser (what `npm run lint` runs) refuses an
 * operation that imports a transport, a renderer that reads state, and a workflow that
 * imports a transport; and passes the tree as it is.
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.map((f) => rm(f, { force: true })));
});

async function cruise(): Promise<{ code: number; out: string }> {
  try {
    const r = await run(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs'),
        'src',
        '--output-type',
        'err',
      ],
      { cwd: ROOT },
    );
    return { code: 0, out: r.stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: e.stdout };
  }
}

describe('layer rules (.dependency-cruiser.cjs)', () => {
  it('refuse imports against the direction, naming the rule and the files', async () => {
    const probes: Record<string, string> = {
      'src/operations/zz-layer-probe.ts':
        "import { jobSink } from '../transport/queue/enqueue.js';\nexport const p = jobSink;\n",
      'src/render/zz-layer-probe.ts':
        "import { readRun } from '../state/runbook-runs.js';\nexport const p = readRun;\n",
      'src/app/zz-layer-probe.ts':
        "import { enqueueJob } from '../transport/queue/enqueue.js';\nexport const p = enqueueJob;\n",
    };
    for (const [file, text] of Object.entries(probes)) {
      const abs = path.join(ROOT, file);
      created.push(abs);
      await writeFile(abs, text);
    }
    const { code, out } = await cruise();
    await Promise.all(created.map((f) => rm(f, { force: true })));
    expect(code).not.toBe(0);
    expect(out).toContain('operations-imports-only-domain: src/operations/zz-layer-probe.ts');
    expect(out).toContain('render-imports-only-domain: src/render/zz-layer-probe.ts');
    expect(out).toMatch(/app-imports-only-[a-z-]+: src\/app\/zz-layer-probe\.ts/);
  });
});
