/**
 * Which Velero Schedule a one-off Backup of a namespace should copy: a usable one (not
 * paused, not refused by Velero's validation) whose template takes the namespace —
 * preferably one that names it in includedNamespaces rather than taking every namespace.
 * The Backup gets that template's volume and storage settings, narrowed to the namespace.
 */
import type { VeleroBackupSpec, VeleroSchedule } from '../../domain/backup.js';
import { takesNamespace } from './velero-facts.js';

const usable = (s: VeleroSchedule) => !s.paused && s.phase !== 'FailedValidation';
const byName = (a: VeleroSchedule, b: VeleroSchedule) =>
  `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);

export function coveringSchedule(
  schedules: readonly VeleroSchedule[],
  namespace: string,
): VeleroSchedule | undefined {
  const covering = schedules
    .filter((s) => usable(s) && takesNamespace(s.template, namespace))
    .sort(byName);
  return covering.find((s) => s.template.includedNamespaces.includes(namespace)) ?? covering[0];
}

/** The Backup's spec: only `namespace`, with the template's settings when there is one. */
export function backupSpecFor(namespace: string, template?: VeleroBackupSpec): VeleroBackupSpec {
  const spec: VeleroBackupSpec = { includedNamespaces: [namespace], excludedNamespaces: [] };
  if (!template) return spec;
  if (template.labelSelector) spec.labelSelector = template.labelSelector;
  if (template.snapshotVolumes !== undefined) spec.snapshotVolumes = template.snapshotVolumes;
  if (template.defaultVolumesToFsBackup !== undefined)
    spec.defaultVolumesToFsBackup = template.defaultVolumesToFsBackup;
  if (template.storageLocation) spec.storageLocation = template.storageLocation;
  if (template.ttl) spec.ttl = template.ttl;
  return spec;
}
