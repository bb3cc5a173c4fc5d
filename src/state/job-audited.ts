/**
 * A job's recorded result (job-results.ts) and its audit entries (audit.ts) written
 * together, one script and one round trip each, where the worker would otherwise make
 * two calls in a row:
 *   begin   the result an earlier attempt recorded, if any — else the `job.started`
 *           entry is appended (never for a re-delivery: it does not start again);
 *   finish  the `job.finished` entry appended, then the result marked finished.
 * The audit entry stays best effort, as `tryAppendAudit`: one that cannot be written
 * (WRONGTYPE, OOM) is told back, and the rest of the script still runs.
 */
import { auditFields, auditStreamKey, DEFAULT_AUDIT_MAX_LEN, type AuditWrite } from './audit.js';
import type { AuditEvent } from '../domain/audit.js';
import { jobResultKey, resultOfHash, type JobRun, type RecordedResult } from './job-results.js';
import { pairsToRecord, type StateRedis } from './redis.js';

/**
 * KEYS[1] the result's hash · KEYS[2] the audit stream · ARGV[1] run · ARGV[2] audit max
 * length · ARGV[3…] the entry's fields. Returns { 1, hash as a flat list } when this run
 * has a result (nothing written); else { 0, 1, id } written, or { 0, 0, error }.
 */
const BEGIN = `
local h = redis.call('HGETALL', KEYS[1])
for i = 1, #h, 2 do
  if h[i] == 'run' then
    if h[i + 1] == ARGV[1] then return { 1, h } end
    break
  end
end
local id = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
if type(id) == 'table' and id.err then return { 0, 0, id.err } end
return { 0, 1, id }
`;

/**
 * KEYS[1] the result's hash · KEYS[2] the audit stream · ARGV[1] run · ARGV[2] now, ms ·
 * ARGV[3] audit max length · ARGV[4…] the entry's fields. Returns { marked 1|0, written
 * 1|0, id or error }; not marked when no result of this run is recorded.
 */
const FINISH = `
local id = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
local written, told = 1, id
if type(id) == 'table' and id.err then written, told = 0, id.err end
if redis.call('HGET', KEYS[1], 'run') ~= ARGV[1] then return { 0, written, told } end
redis.call('HSET', KEYS[1], 'finishedAt', ARGV[2])
return { 1, written, told }
`;

export type JobBegin =
  /** Recorded by an earlier attempt: re-report it; no entry was written. */
  | { recorded: RecordedResult }
  /** None recorded: `job.started` was appended (or why not). */
  | { recorded: undefined; started: AuditWrite }
  /** The run's hash does not read back (written by hand): as if absent, and nothing written. */
  | { recorded: undefined; started: undefined };

export interface AuditedJobSteps {
  begin(job: JobRun, started: AuditEvent): Promise<JobBegin>;
  /** `marked` false when no result of this run is recorded. */
  finish(job: JobRun, finished: AuditEvent): Promise<{ marked: boolean; finished: AuditWrite }>;
}

const written = (ok: unknown, told: unknown): AuditWrite =>
  Number(ok) === 1 ? { ok: true, id: String(told) } : { ok: false, error: new Error(String(told)) };

export function auditedJobSteps(
  redis: StateRedis,
  prefix: string,
  maxLen = DEFAULT_AUDIT_MAX_LEN,
  now: () => number = Date.now,
): AuditedJobSteps {
  const keys = (job: JobRun) => [jobResultKey(prefix, job.jobId), auditStreamKey(prefix)];
  return {
    async begin(job, started) {
      const reply = (await redis.eval(
        BEGIN,
        2,
        ...keys(job),
        job.run,
        maxLen,
        ...auditFields(started),
      )) as unknown[];
      if (Number(reply[0]) !== 1)
        return { recorded: undefined, started: written(reply[1], reply[2]) };
      const recorded = resultOfHash(pairsToRecord(reply[1] as unknown[]), job);
      return recorded ? { recorded } : { recorded: undefined, started: undefined };
    },
    async finish(job, finished) {
      const reply = (await redis.eval(
        FINISH,
        2,
        ...keys(job),
        job.run,
        now(),
        maxLen,
        ...auditFields(finished),
      )) as unknown[];
      return { marked: Number(reply[0]) === 1, finished: written(reply[1], reply[2]) };
    },
  };
}
