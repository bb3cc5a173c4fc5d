/**
 * `/velero-backup NAMESPACE`: one Velero Backup of one namespace, now, watched until it
 * ends. Its spec is the template of the Schedule that covers the namespace
 * (covering-schedule.ts) narrowed to it, or Velero's defaults when none does; its name is
 * given (backup-name.ts: from the job), so a second attempt of the same job finds the
 * Backup the first one made — the create is refused as taken, and a read finds it — and
 * never makes another. Then the Backup is read every `pollMs` until a final phase or
 * `waitMs`, its progress told as it changes; velero-backup-rules.ts judges. Creating a
 * Backup changes nothing in the cluster: Velero reads it and writes to its storage.
 */
import type { VeleroBackup, VeleroBackupRunData, VeleroBackupSpec } from '../../domain/backup.js';
import type { Finding, Report } from '../../domain/report.js';
import type { ProgressFn } from '../../domain/snapshot.js';
import type { BackupClient } from './client.js';
import { backupSpecFor, coveringSchedule } from './covering-schedule.js';
import {
  backupEnd,
  backupProgressText,
  FINAL_PHASES,
  namespaceFinding,
  reusedFinding,
  sourceFinding,
  type BackupRef,
} from './velero-backup-rules.js';

export interface VeleroBackupDeps {
  backup: BackupClient;
  /** The names of the cluster's namespaces, to say when NAMESPACE does not exist. */
  namespaces(deadline: number): Promise<string[]>;
}

export interface VeleroBackupInput {
  cluster: string;
  namespace: string;
  /** The Backup's name: the same for every attempt of one request. */
  name: string;
  labels: Record<string, string>;
  /** Bound of each API call, ms. */
  timeoutMs: number;
  /** Between two reads of the Backup, ms. */
  pollMs: number;
  /** How long to watch it before reporting it as still running, ms. */
  waitMs: number;
  onProgress?: ProgressFn;
  sleep?: (ms: number) => Promise<void>;
}

export type VeleroBackupReport = Report<VeleroBackupRunData | Record<string, never>>;

const INSTALL =
  'Install Velero with an object-storage location off the cluster (https://velero.io/docs/main/basic-install/), ' +
  'e.g. `velero install --provider aws --plugins velero/velero-plugin-for-aws:v1.10.0 --bucket <bucket> ' +
  '--secret-file ./credentials-velero --use-node-agent`, then ask again.';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `work`'s value, or undefined when it fails: for what only adds a note. */
const maybe = <T>(work: Promise<T>): Promise<T | undefined> => work.catch(() => undefined);

async function createOrFind(
  c: BackupClient,
  r: BackupRef,
  spec: VeleroBackupSpec,
  labels: Record<string, string>,
  deadline: () => number,
): Promise<{ backup: VeleroBackup; reused: boolean }> {
  try {
    return {
      backup: await c.createBackup(r.veleroNamespace, r.name, spec, labels, deadline()),
      reused: false,
    };
  } catch (err) {
    // Taken (409: an earlier attempt made it), or the answer was lost: a read tells.
    const found = await maybe(c.getBackup(r.veleroNamespace, r.name, deadline()));
    if (found) return { backup: found, reused: true };
    throw err;
  }
}

/** Reads the Backup until it ends or `waitMs` passes; returns it as last read. */
async function watch(
  c: BackupClient,
  r: BackupRef,
  first: VeleroBackup,
  input: VeleroBackupInput,
  deadline: () => number,
): Promise<VeleroBackup | undefined> {
  const sleep = input.sleep ?? pause;
  const until = Date.now() + input.waitMs;
  let last: VeleroBackup | undefined = first;
  let told = '';
  const tell = (b: VeleroBackup | undefined) => {
    const step = backupProgressText(r, b);
    if (step !== told) input.onProgress?.({ step });
    told = step;
  };
  tell(last);
  while (last && !FINAL_PHASES.has(last.phase ?? '') && Date.now() < until) {
    await sleep(Math.max(0, Math.min(input.pollMs, until - Date.now())));
    last = await c.getBackup(r.veleroNamespace, r.name, deadline());
    if (last) tell(last);
  }
  return last;
}

function notInstalled(input: VeleroBackupInput, startedAt: string): VeleroBackupReport {
  const title = `Velero is not installed on ${input.cluster} (API group velero.io/v1 not served): no Backup can be made`;
  return {
    kind: 'velero.backup',
    cluster: input.cluster,
    startedAt,
    finishedAt: new Date().toISOString(),
    findings: [{ id: 'velero.backup.installed', severity: 'crit', title, remedy: INSTALL }],
    couldNotRun: title,
    data: {},
  };
}

export async function veleroBackup(
  deps: VeleroBackupDeps,
  input: VeleroBackupInput,
): Promise<VeleroBackupReport> {
  const startedAt = new Date().toISOString();
  const c = deps.backup;
  const deadline = () => Date.now() + input.timeoutMs;
  if (!(await c.veleroServed(deadline()))) return notInstalled(input, startedAt);
  const [schedules, locations, pvcs, namespaces] = await Promise.all([
    c.listSchedules(deadline()),
    c.listBackupStorageLocations(deadline()),
    maybe(c.listPvcs(deadline())),
    maybe(deps.namespaces(deadline())),
  ]);
  const schedule = coveringSchedule(schedules, input.namespace);
  const spec = backupSpecFor(input.namespace, schedule?.template);
  const veleroNamespace =
    schedule?.namespace ??
    (locations.find((l) => l.default) ?? locations[0])?.namespace ??
    'velero';
  const r: BackupRef = { namespace: input.namespace, veleroNamespace, name: input.name };
  const made = await createOrFind(c, r, spec, input.labels, deadline);
  const watchStart = Date.now();
  const last = await watch(c, r, made.backup, input, deadline);
  const watchedMs = Date.now() - watchStart;
  const end = backupEnd(r, last, watchedMs);
  const seen = {
    ...(namespaces ? { exists: namespaces.includes(input.namespace) } : {}),
    ...(pvcs ? { pvcs: pvcs.filter((p) => p.namespace === input.namespace).length } : {}),
  };
  const notes = [
    sourceFinding(r, schedule, spec),
    namespaceFinding(r, seen),
    made.reused ? reusedFinding(r) : undefined,
  ].filter((f): f is Finding => f !== undefined);
  return {
    kind: 'velero.backup',
    cluster: input.cluster,
    startedAt,
    finishedAt: new Date().toISOString(),
    findings: [end.finding, ...notes],
    ...(end.incomplete ? { incomplete: end.incomplete } : {}),
    data: {
      namespace: input.namespace,
      veleroNamespace,
      name: input.name,
      ...(schedule ? { schedule: `${schedule.namespace}/${schedule.name}` } : {}),
      spec,
      reused: made.reused,
      ...(last ? { backup: last } : {}),
      watchedMs,
    },
  };
}
