/**
 * The drill job kind (see catalogue.ts for the contract comment format). The handler only
 * translates: config and params → the drill workflow (app/snapshots/drill.ts).
 */
import { z } from 'zod';
import { drillAndRecord } from '../../app/snapshots/drill.js';
import { defineJob } from './job-kind.js';

/** name etcd.drill · params { snapshotId? } · effect: restores the newest verified snapshot (or
 *  the one named) into a scratch etcd on loopback in the drill work dir, counts its keys, stops
 *  it and removes the directory; changes nothing in the cluster or the store; the result is
 *  recorded per cluster (state/drills.ts) before it is reported · not destructive · not
 *  maintenance · timeout the drill timeout + 1 min · 2 attempts, 1 min apart (a damaged snapshot
 *  is a report, not a failure; missing binaries: could not run, not retried) */
export const drillJob = defineJob({
  name: 'etcd.drill',
  title: 'etcd drill',
  params: z
    .object({
      snapshotId: z
        .string()
        .regex(/^[a-z0-9-]+-\d{8}T\d{6}Z-r\d+$/)
        .optional(),
    })
    .strict(),
  destructive: false,
  maintenance: false,
  timeoutMs: (c) => c.drills.timeout + 60_000,
  attempts: 2,
  backoff: { type: 'fixed', delay: 60_000 },
  run: (ctx, p) =>
    drillAndRecord(ctx.connect, {
      cluster: ctx.cluster.name,
      config: ctx.config,
      ref: p.snapshotId,
      source: ctx.snapshots(),
      records: ctx.drills,
      env: process.env,
      onProgress: ctx.progress,
    }),
});

export const DRILL_JOBS = [drillJob];
