/**
 * How a one-off Velero Backup of a namespace is told (pure): where its spec came from
 * (a Schedule's template, or Velero's defaults), what the namespace holds, its progress
 * while it runs, and how it ended — Completed ok, PartiallyFailed a warning with the log
 * command, Failed or FailedValidation critical with Velero's reason, still running when
 * Quorum stopped watching a warning with the describe command (Velero carries on).
 */
import type { VeleroBackup, VeleroBackupSpec, VeleroSchedule } from '../../domain/backup.js';
import type { Finding, Incomplete } from '../../domain/report.js';
import { formatDuration } from '../../domain/units.js';
import { selectorText } from '../kube/selector.js';
import { scheduleCommand } from './velero-rules.js';

/** The phases after which Velero does nothing more with a Backup. */
export const FINAL_PHASES: ReadonlySet<string> = new Set([
  'Completed',
  'PartiallyFailed',
  'Failed',
  'FailedValidation',
]);

const ID = 'velero.backup';

export interface BackupRef {
  namespace: string;
  veleroNamespace: string;
  name: string;
}

const ref = (r: BackupRef) => `${r.veleroNamespace}/${r.name}`;
const describe = (r: BackupRef) =>
  `\`velero backup describe ${r.name} --details -n ${r.veleroNamespace}\``;
const logs = (r: BackupRef) => `\`velero backup logs ${r.name} -n ${r.veleroNamespace}\``;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `120/300 items`, when Velero has counted them. */
function itemsText(b: VeleroBackup): string | undefined {
  if (b.totalItems === undefined) return undefined;
  return `${b.itemsBackedUp ?? 0}/${b.totalItems} items`;
}

/** The progress line: `InProgress: 120/300 items`, or what it waits for. */
export function backupProgressText(r: BackupRef, b: VeleroBackup | undefined): string {
  if (!b?.phase || b.phase === 'New')
    return `Backup ${ref(r)} created; waiting for Velero to start it`;
  const items = itemsText(b);
  return items ? `${b.phase}: ${items}` : b.phase;
}

function specText(spec: VeleroBackupSpec): string {
  const volumes = spec.defaultVolumesToFsBackup
    ? 'file-system backup of volumes'
    : spec.snapshotVolumes === false
      ? 'no volume data'
      : spec.snapshotVolumes
        ? 'volume snapshots'
        : "volume snapshots as the Velero server's default says";
  return [
    volumes,
    spec.labelSelector ? `selector ${selectorText(spec.labelSelector)}` : '',
    `storage location ${spec.storageLocation ?? '(the default)'}`,
    `TTL ${spec.ttl ?? "(Velero's default, 720h)"}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** Where the spec came from: the covering Schedule's template, or Velero's defaults. */
export function sourceFinding(
  r: BackupRef,
  schedule: VeleroSchedule | undefined,
  spec: VeleroBackupSpec,
): Finding {
  if (schedule) {
    return {
      id: `${ID}.source`,
      severity: 'info',
      title: `Settings from Schedule ${schedule.namespace}/${schedule.name}, narrowed to namespace ${r.namespace}`,
      detail: specText(spec),
    };
  }
  return {
    id: `${ID}.source`,
    severity: 'info',
    title: `No Schedule covers namespace ${r.namespace}: a Backup with Velero's defaults`,
    detail: specText(spec),
    remedy: `Back it up regularly: \`${scheduleCommand(r.namespace, r.veleroNamespace)}\`.`,
  };
}

/** What the namespace holds, when that was read: absent, or no volume data. */
export function namespaceFinding(
  r: BackupRef,
  seen: { exists?: boolean; pvcs?: number },
): Finding | undefined {
  if (seen.exists === false) {
    return {
      id: `${ID}.namespace`,
      severity: 'info',
      title: `Namespace ${r.namespace} does not exist: the Backup holds nothing of it`,
      remedy: 'Check the name: `kubectl get namespaces`.',
    };
  }
  if (seen.pvcs === 0) {
    return {
      id: `${ID}.namespace`,
      severity: 'info',
      title: `Namespace ${r.namespace} has no PersistentVolumeClaim: the Backup keeps its objects, no volume data`,
    };
  }
  return undefined;
}

/** Said when an earlier attempt of the same job had made the Backup already. */
export function reusedFinding(r: BackupRef): Finding {
  return {
    id: `${ID}.reused`,
    severity: 'info',
    title: `Backup ${ref(r)} was made by an earlier attempt of this job: watched, not made again`,
  };
}

export interface BackupEnd {
  finding: Finding;
  incomplete?: Incomplete;
}

function failed(r: BackupRef, title: string, detail?: string): BackupEnd {
  return {
    finding: {
      id: ID,
      severity: 'crit',
      title,
      ...(detail ? { detail } : {}),
      remedy: `See why: ${describe(r)} and ${logs(r)}; fix it, then run \`/velero-backup ${r.namespace}\` again.`,
    },
    incomplete: { how: 'stopped', reason: title },
  };
}

/** How the Backup ended, or stood when Quorum stopped watching after `watchedMs`. */
export function backupEnd(r: BackupRef, b: VeleroBackup | undefined, watchedMs: number): BackupEnd {
  const what = `Backup ${ref(r)} of namespace ${r.namespace}`;
  if (!b) return failed(r, `${what} was deleted while Quorum watched it`);
  const items = itemsText(b);
  const counts = [
    items,
    b.errors ? plural(b.errors, 'error') : '',
    b.warnings ? plural(b.warnings, 'warning') : '',
  ].filter(Boolean);
  const said = counts.length ? `: ${counts.join(', ')}` : '';
  switch (b.phase) {
    case 'Completed':
      return {
        finding: {
          id: ID,
          severity: 'ok',
          title: `${what} Completed${said}`,
          ...(b.expiresAt ? { detail: `Kept until ${b.expiresAt}.` } : {}),
          remedy: `Restore with \`velero restore create --from-backup ${r.name} -n ${r.veleroNamespace}\`.`,
        },
      };
    case 'PartiallyFailed':
      return {
        finding: {
          id: ID,
          severity: 'warn',
          title: `${what} PartiallyFailed${said}`,
          detail: 'Some items or volumes are not in the backup.',
          remedy: `See which: ${logs(r)} (look for level=error) and ${describe(r)}.`,
        },
      };
    case 'Failed':
      return failed(r, `${what} Failed${b.failureReason ? `: ${b.failureReason}` : ''}`);
    case 'FailedValidation':
      return failed(r, `${what} FailedValidation`, (b.validationErrors ?? []).join('; '));
    default:
      return {
        finding: {
          id: ID,
          severity: 'warn',
          title: `${what} still ${b.phase ?? 'New'} after ${formatDuration(watchedMs)}${items ? ` (${items})` : ''}`,
          detail: 'Velero carries on; Quorum stopped watching.',
          remedy: `Follow it with ${describe(r)}; \`/backup-status\` shows it once it ends.`,
        },
      };
  }
}
