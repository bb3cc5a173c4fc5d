/** The Block Kit message for any report, chosen by its kind (the generic one otherwise). */
import type { EtcdCheckReport } from '../../domain/etcd.js';
import type { Report } from '../../domain/report.js';
import type { SnapshotEntry } from '../../domain/snapshot.js';
import type { SlackMessage } from './blocks.js';
import { backupStatusMessage } from './backup-status.js';
import { etcdCheckMessage } from './etcd-check.js';
import { drillMessage } from './drill.js';
import { alarmDisarmMessage, alarmsMessage, compactMessage, defragMessage } from './maintenance.js';
import { genericReportMessage } from './report-message.js';
import { restorePlanMessage } from './restore-plan.js';
import { securityAuditMessage } from './security-audit.js';
import { snapshotListMessage } from './snapshot-list.js';
import { snapshotResultMessage, snapshotVerifyMessage } from './snapshot.js';
import { upgradeCheckMessage } from './upgrade-check.js';

type Renderer = (report: never) => SlackMessage;

const BY_KIND: Record<string, Renderer> = {
  'etcd.check': (r: EtcdCheckReport) => etcdCheckMessage(r),
  'etcd.snapshot': snapshotResultMessage,
  'etcd.snapshot.verify': snapshotVerifyMessage,
  'etcd.snapshot.list': (r: Report<{ snapshots: SnapshotEntry[] }>) =>
    snapshotListMessage(r.cluster, r.data.snapshots, new Date(r.finishedAt)),
  'etcd.defrag': defragMessage,
  'etcd.compact': compactMessage,
  'etcd.alarms': alarmsMessage,
  'etcd.alarms.disarm': alarmDisarmMessage,
  'etcd.restore-plan': restorePlanMessage,
  'etcd.drill': drillMessage,
  'security.audit': securityAuditMessage,
  'upgrade.check': upgradeCheckMessage,
  'backup.status': backupStatusMessage,
};

export function messageForReport(report: Report): SlackMessage {
  const render = BY_KIND[report.kind] as ((r: Report) => SlackMessage) | undefined;
  return render ? render(report) : genericReportMessage(report);
}
