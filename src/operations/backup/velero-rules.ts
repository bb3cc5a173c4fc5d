/**
 * The application-data half of the backup report, as findings: whether Velero is
 * installed, its storage locations, each Schedule (its last backup's phase, staleness
 * against twice its interval), the namespaces whose PersistentVolumeClaims no Schedule
 * covers (each with a `velero schedule create` that would), Delete-policy volumes nothing
 * backs up, and how volumes are kept (snapshots without a VolumeSnapshotClass, or not at all).
 */
import type { ScheduleStanding, VeleroFacts } from '../../domain/backup.js';
import type { Finding } from '../../domain/report.js';
import { formatDuration } from '../../domain/units.js';
import { kubectlApplyCommand } from '../kube/apply-command.js';
import { listSome } from '../kube/report.js';

const INSTALL =
  'Install Velero with an object-storage location off the cluster (https://velero.io/docs/main/basic-install/), e.g. ' +
  '`velero install --provider aws --plugins velero/velero-plugin-for-aws:v1.10.0 --bucket <bucket> ' +
  '--secret-file ./credentials-velero --use-node-agent`, then a Schedule per application namespace.';

/** No Velero at all: the volumes have no backup (unless there are none). */
export function noVeleroFindings(pvcs: number | undefined): Finding[] {
  if (pvcs === 0) {
    return [
      {
        id: 'backup.velero.installed',
        severity: 'info',
        title:
          'Velero is not installed; no PersistentVolumeClaim exists, so no volume data to back up',
      },
    ];
  }
  const what =
    pvcs === undefined
      ? 'persistent volumes'
      : `the ${pvcs} PersistentVolumeClaim${pvcs === 1 ? '' : 's'}`;
  return [
    {
      id: 'backup.velero.installed',
      severity: 'warn',
      title: `Velero is not installed (API group velero.io/v1 not served): ${what} have no backup`,
      detail:
        'etcd snapshots keep the Kubernetes objects only; the data in persistent volumes is not in them.',
      remedy: INSTALL,
    },
  ];
}

function locationFindings(f: VeleroFacts): Finding[] {
  const id = 'backup.velero.location';
  if (f.locations.length === 0) {
    return [
      {
        id,
        severity: 'crit',
        title: 'Velero has no BackupStorageLocation: no backup can be written',
        remedy: `Create one: \`velero backup-location create default --provider aws --bucket <bucket> --default -n ${f.veleroNamespace}\`.`,
      },
    ];
  }
  return f.locations.map((l) => {
    const where = `${l.provider} bucket ${l.bucket}${l.prefix ? `/${l.prefix}` : ''}`;
    const name = `${l.default ? 'Default ' : ''}BackupStorageLocation ${l.namespace}/${l.name} (${where})`;
    if (l.phase === 'Available') return { id, severity: 'ok', title: `${name} is Available` };
    return {
      id,
      severity: l.default ? 'crit' : 'warn',
      title: `${name} is ${l.phase ?? 'not yet validated'}${l.default ? ': backups cannot be written' : ''}`,
      ...(l.message ? { detail: l.message } : {}),
      remedy: `See why: \`velero backup-location get ${l.name} -n ${l.namespace} -o yaml\`; check the bucket, the credentials Secret and that the storage endpoint is reachable from the velero pod.`,
    };
  });
}

const scope = (s: ScheduleStanding) =>
  [
    s.includedNamespaces.length
      ? `namespaces ${s.includedNamespaces.join(', ')}`
      : 'every namespace',
    s.excludedNamespaces.length ? `except ${s.excludedNamespaces.join(', ')}` : '',
    s.selector ? `selector ${s.selector}` : '',
  ]
    .filter(Boolean)
    .join(', ');

function describe(s: ScheduleStanding): string {
  const last = s.lastBackup
    ? `last backup ${s.lastBackup.name}: ${s.lastBackup.phase}${s.lastBackup.at ? ` (${s.lastBackup.at})` : ''}`
    : 'no backup yet';
  return `\`${s.schedule}\`, ${scope(s)}, volumes: ${s.volumes}; ${last}`;
}

/** The last backup's phase: Failed crit, PartiallyFailed warn with its errors. */
function phaseFinding(s: ScheduleStanding, id: string, name: string): Finding | undefined {
  const last = s.lastBackup;
  const logs =
    last &&
    `\`velero backup logs ${last.name} -n ${s.namespace}\` and \`velero backup describe ${last.name} --details -n ${s.namespace}\``;
  if (last && (last.phase === 'Failed' || last.phase === 'FailedValidation')) {
    return {
      id,
      severity: 'crit',
      title: `${name}: the last backup ${last.name} ${last.phase === 'Failed' ? 'failed' : 'failed validation'}${last.failureReason ? `: ${last.failureReason}` : ''}`,
      detail: describe(s),
      remedy: `Read ${logs}, fix the cause, then run one now: \`velero backup create --from-schedule ${s.name} -n ${s.namespace}\`.`,
    };
  }
  if (last?.phase === 'PartiallyFailed') {
    return {
      id,
      severity: 'warn',
      title: `${name}: the last backup ${last.name} partially failed with ${last.errors} error${last.errors === 1 ? '' : 's'}`,
      detail: describe(s),
      remedy: `Some items or volumes are missing from it: read ${logs}.`,
    };
  }
  return undefined;
}

function staleFinding(s: ScheduleStanding, id: string, name: string): Finding | undefined {
  if (!s.intervalMs) {
    return {
      id,
      severity: 'warn',
      title: `${name}: its schedule \`${s.schedule}\` could not be read, so its freshness is unchecked`,
    };
  }
  const limit = 2 * s.intervalMs;
  const stale = s.sinceSuccessMs === undefined || s.sinceSuccessMs > limit;
  if (!stale) return undefined;
  const since =
    s.sinceSuccessMs === undefined
      ? 'has never completed a backup'
      : `last completed a backup ${formatDuration(s.sinceSuccessMs)} ago (${s.lastSuccess?.name})`;
  return {
    id,
    severity: 'crit',
    title: `${name} ${since}: more than twice its interval (${formatDuration(s.intervalMs)})`,
    detail: describe(s),
    remedy: `Check the velero pod (\`kubectl -n ${s.namespace} logs deploy/velero\`) and \`velero schedule describe ${s.name} -n ${s.namespace}\`; run one now: \`velero backup create --from-schedule ${s.name} -n ${s.namespace}\`.`,
  };
}

function scheduleFindings(s: ScheduleStanding): Finding[] {
  const id = `backup.velero.schedule`;
  const name = `Schedule ${s.namespace}/${s.name}`;
  if (s.phase === 'FailedValidation') {
    return [
      {
        id,
        severity: 'crit',
        title: `${name} failed validation and makes no backups: ${s.validationErrors.join('; ') || 'see its status'}`,
        remedy: `Fix its spec: \`kubectl -n ${s.namespace} edit schedule ${s.name}\`.`,
      },
    ];
  }
  if (s.paused) {
    return [
      {
        id,
        severity: 'warn',
        title: `${name} is paused: it makes no backups`,
        detail: describe(s),
        remedy: `\`velero schedule unpause ${s.name} -n ${s.namespace}\`.`,
      },
    ];
  }
  const problems = [phaseFinding(s, id, name), staleFinding(s, id, name)].filter(
    (f) => f !== undefined,
  );
  if (s.volumes === 'none') {
    problems.push({
      id,
      severity: 'warn',
      title: `${name} backs up no volume data (snapshotVolumes: false, no file-system backup)`,
      remedy:
        'Set `snapshotVolumes: true` (with a VolumeSnapshotClass or provider plugin) or `defaultVolumesToFsBackup: true` in its template.',
    });
  }
  if (problems.length) return problems;
  const fresh =
    s.sinceSuccessMs === undefined ? '' : `, last success ${formatDuration(s.sinceSuccessMs)} ago`;
  return [
    {
      id,
      severity: 'ok',
      title: `${name}: ${s.lastBackup?.phase ?? 'no backup'}${fresh}`,
      detail: describe(s),
    },
  ];
}

/** `velero schedule create` covering one namespace, daily, kept 30 days. */
export function scheduleCommand(namespace: string, veleroNamespace: string): string {
  return `velero schedule create ${namespace}-daily --schedule "0 3 * * *" --include-namespaces ${namespace} --ttl 720h0m0s -n ${veleroNamespace}`;
}

/** A pasteable `kubectl apply` of a Velero-labelled VolumeSnapshotClass for `driver`. */
export function snapshotClassCommand(driver: string): string {
  const name = `${driver
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')}-velero`;
  return kubectlApplyCommand([
    'apiVersion: snapshot.storage.k8s.io/v1',
    'kind: VolumeSnapshotClass',
    'metadata:',
    `  name: ${name}`,
    '  labels:',
    '    velero.io/csi-volumesnapshot-class: "true"',
    `driver: ${driver}`,
    'deletionPolicy: Retain',
  ]);
}

function coverageFindings(f: VeleroFacts): Finding[] {
  const id = 'backup.velero.coverage';
  if (f.uncoveredNamespaces.length === 0) {
    return [
      {
        id,
        severity: 'ok',
        title: `Every PersistentVolumeClaim (${f.pvcs}) is in a namespace a Schedule backs up`,
      },
    ];
  }
  return f.uncoveredNamespaces.map(({ namespace, pvcs }) => ({
    id,
    severity: 'warn',
    title: `No Schedule backs up namespace ${namespace}: ${pvcs.length} PersistentVolumeClaim${pvcs.length === 1 ? '' : 's'} (${listSome(pvcs, 4)})`,
    remedy: `\`${scheduleCommand(namespace, f.veleroNamespace)}\``,
  }));
}

function volumeFindings(f: VeleroFacts): Finding[] {
  const out: Finding[] = [];
  if (f.unprotectedDeletePvs.length) {
    const n = f.unprotectedDeletePvs.length;
    out.push({
      id: 'backup.velero.reclaim-delete',
      severity: 'warn',
      title: `${n} PersistentVolume${n === 1 ? '' : 's'} with reclaimPolicy Delete that no backup covers: deleting the claim deletes the data`,
      detail: f.unprotectedDeletePvs
        .map((p) => `${p.name}${p.claim ? ` (claim ${p.claim})` : ' (no claim)'}`)
        .join('\n'),
      remedy:
        'Cover their namespaces with a Schedule (above), or keep the data when the claim goes: `kubectl patch pv <name> -p \'{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}\'`.',
    });
  }
  for (const { driver, volumes } of f.csiWithoutSnapshotClass) {
    out.push({
      id: 'backup.velero.snapshot-class',
      severity: 'warn',
      title: `No VolumeSnapshotClass for CSI driver ${driver}${f.snapshotClassesServed ? '' : ' (the snapshot.storage.k8s.io API is not served)'}: ${listSome(volumes, 4)} would be backed up without their data`,
      detail:
        'Velero snapshots CSI volumes through a VolumeSnapshotClass of their driver (unless a provider plugin snapshots them through a VolumeSnapshotLocation).',
      remedy: `Create one for the driver, labelled for Velero: \`${snapshotClassCommand(driver)}\`; or back them up with file-system backup (\`defaultVolumesToFsBackup: true\`).`,
    });
  }
  return out;
}

export function veleroFindings(f: VeleroFacts): Finding[] {
  const schedules = f.schedules.length
    ? f.schedules.flatMap(scheduleFindings)
    : [
        {
          id: 'backup.velero.schedule',
          severity: 'warn' as const,
          title: 'Velero has no Schedule: backups happen only by hand',
          remedy: `Create one per application namespace, e.g. \`${scheduleCommand('<namespace>', f.veleroNamespace)}\`.`,
        },
      ];
  return [...locationFindings(f), ...schedules, ...coverageFindings(f), ...volumeFindings(f)];
}
