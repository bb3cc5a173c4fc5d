/**
 * What a job's operation returned, kept under the job's id before anything is reported,
 * so that a later attempt of the same job — BullMQ's retry after a reporting failure, or
 * a stalled job re-delivered after its worker or Redis was lost — re-reports it instead
 * of acting again. The first result recorded for a job wins.
 *
 * Key: `${prefix}:job-result:${jobId}`, a hash kept `ttlMs` (3 days by default: longer
 * than any job's retries and stalled re-deliveries):
 *   run         which enqueue of that job id (its nonce): a job that reuses the id later is another job
 *   attempt     the attempt that acted (1-based)
 *   recordedAt  ms since the epoch
 *   report      the Report, as JSON
 *   finishedAt  set once the report was delivered and the job's end audited: nothing is left to do
 */
import type { Report } from '../domain/report.js';
import type { StateRedis } from './redis.js';

export const DEFAULT_JOB_RESULT_TTL_MS = 3 * 24 * 3_600_000;

/** Which job, and which enqueue of its id. */
export interface JobRun {
  jobId: string;
  /** The enqueue's nonce (or its time): tells a re-delivery from a later job with the same id. */
  run: string;
}

export interface RecordedResult {
  report: Report;
  attempt: number;
  recordedAt: number;
  /** When the attempt that delivered it had also audited and ended it. */
  finishedAt?: number;
}

export interface JobResultStore {
  /** The result recorded for this run of the job, if any. */
  get(job: JobRun): Promise<RecordedResult | undefined>;
  /**
   * Records `report` unless a result is recorded already; returns the one that counts
   * (the earlier one when two attempts raced).
   */
  record(job: JobRun, attempt: number, report: Report): Promise<RecordedResult>;
  /** Notes that everything after the operation was done; false when no result is recorded. */
  markFinished(job: JobRun): Promise<boolean>;
}

/**
 * Record a result unless this run has one.
 * KEYS[1] the result's hash · ARGV[1] run · ARGV[2] attempt · ARGV[3] now, ms ·
 * ARGV[4] the report, JSON · ARGV[5] TTL, ms
 * Returns { 1 } when recorded; { 0, attempt, recordedAt, report } when one was already.
 */
const RECORD = `
if redis.call('HGET', KEYS[1], 'run') == ARGV[1] then
  local h = redis.call('HMGET', KEYS[1], 'attempt', 'recordedAt', 'report')
  return { 0, h[1], h[2], h[3] }
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'run', ARGV[1], 'attempt', ARGV[2], 'recordedAt', ARGV[3], 'report', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return { 1 }
`;

/**
 * Mark this run's result finished.
 * KEYS[1] the result's hash · ARGV[1] run · ARGV[2] now, ms
 * Returns 1 when marked; 0 when no result of this run is recorded.
 */
const FINISH = `
if redis.call('HGET', KEYS[1], 'run') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'finishedAt', ARGV[2])
return 1
`;

export const jobResultKey = (prefix: string, jobId: string) => `${prefix}:job-result:${jobId}`;

function parseReport(text: unknown): Report | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value = JSON.parse(text) as Partial<Report> | null;
    return value && typeof value.kind === 'string' && Array.isArray(value.findings)
      ? (value as Report)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The result of `job` in its hash's fields, if that run has one that reads back. */
export function resultOfHash(h: Record<string, string>, job: JobRun): RecordedResult | undefined {
  if (h.run !== job.run) return undefined;
  // Unreadable (written by hand): as if absent; an approval still guards a destructive kind.
  const report = parseReport(h.report);
  if (!report) return undefined;
  return {
    report,
    attempt: Number(h.attempt),
    recordedAt: Number(h.recordedAt),
    ...(h.finishedAt ? { finishedAt: Number(h.finishedAt) } : {}),
  };
}

export function jobResultStore(
  redis: StateRedis,
  prefix: string,
  ttlMs = DEFAULT_JOB_RESULT_TTL_MS,
  now: () => number = Date.now,
): JobResultStore {
  const key = (job: JobRun) => jobResultKey(prefix, job.jobId);
  return {
    async get(job) {
      return resultOfHash(await redis.hgetall(key(job)), job);
    },
    async record(job, attempt, report) {
      const at = now();
      const reply = (await redis.eval(
        RECORD,
        1,
        key(job),
        job.run,
        attempt,
        at,
        JSON.stringify(report),
        ttlMs,
      )) as unknown[];
      if (Number(reply[0]) === 1) return { report, attempt, recordedAt: at };
      return {
        report: parseReport(reply[3]) ?? report,
        attempt: Number(reply[1]),
        recordedAt: Number(reply[2]),
      };
    },
    async markFinished(job) {
      return Number(await redis.eval(FINISH, 1, key(job), job.run, now())) === 1;
    },
  };
}
