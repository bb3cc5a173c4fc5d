/**
 * `quorum security audit --since FILE`: the earlier `--json` report of the same command to
 * compare with, read and checked once, before anything connects. A file that cannot be
 * read, is not JSON, is not a security audit report, or is about another cluster is a
 * USAGE error that says which, and how to write a good one.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { QuorumError } from '../../domain/errors.js';
import { SEVERITIES } from '../../domain/report.js';
import type { AuditRun } from '../../domain/security-progress.js';

/** The part of `quorum security audit --json` a comparison reads; other keys are ignored. */
const sinceReportSchema = z.object({
  kind: z.string(),
  cluster: z.string().min(1),
  finishedAt: z.iso.datetime({ offset: true }),
  couldNotRun: z.string().optional(),
  findings: z.array(
    z.object({
      id: z.string().min(1),
      severity: z.enum(SEVERITIES),
      title: z.string(),
      subject: z.string().optional(),
    }),
  ),
});

const howTo = (cluster: string) =>
  `Pass a report written by: quorum security audit --cluster ${cluster} --json > FILE`;

function refuse(file: string, what: string, hint: string): never {
  throw new QuorumError('USAGE', `--since ${file}: ${what}.`, hint);
}

function readJson(file: string, cluster: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return refuse(file, `cannot be read (${code ?? (err as Error).message})`, howTo(cluster));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return refuse(file, `not JSON (${(err as Error).message})`, howTo(cluster));
  }
}

/** The run in `file` to compare an audit of `cluster` with. */
export function readSinceReport(file: string, cluster: string): AuditRun {
  const doc = readJson(file, cluster);
  const kind = (doc as { kind?: unknown } | null)?.kind;
  if (kind !== 'security.audit')
    refuse(
      file,
      typeof kind === 'string'
        ? `a report of kind ${kind}, not a security audit report (--json)`
        : 'not a security audit report (--json): it has no kind',
      howTo(cluster),
    );
  const parsed = sinceReportSchema.safeParse(doc);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const at = first?.path.map(String).join('.') || '(top level)';
    refuse(
      file,
      `not a security audit report: ${at}: ${first?.message ?? 'invalid'}`,
      howTo(cluster),
    );
  }
  const r = parsed.data;
  if (r.cluster !== cluster)
    refuse(
      file,
      `the audit of cluster ${r.cluster}, not of ${cluster}`,
      `Compare with a report of ${cluster} (${howTo(cluster)}), or audit ${r.cluster}: add --cluster ${r.cluster}.`,
    );
  if (r.couldNotRun)
    refuse(
      file,
      `that audit could not run (${r.couldNotRun}): it has nothing to compare with`,
      howTo(cluster),
    );
  return { finishedAt: r.finishedAt, findings: r.findings };
}
