/** Block Kit renderers: pure functions of reports and approvals returning Slack messages. */
export type * from './blocks.js';
export { escapeMrkdwn, mention, slackDate } from './escape.js';
export { LIMITS, truncate } from './limits.js';
export { kindLabel, SIGN } from './verdict.js';
export { findingsBlocks } from './findings.js';
export { genericReportMessage, reportMessage } from './report-message.js';
export { etcdCheckMessage } from './etcd-check.js';
export * from './snapshot.js';
export { snapshotListMessage } from './snapshot-list.js';
export * from './maintenance.js';
export * from './restore-plan.js';
export { upgradeCheckMessage, type UpgradeCheckMessageView } from './upgrade-check.js';
export { splitCode } from './split-code.js';
export * from './error.js';
export * from './root-message.js';
export * from './approval.js';
export { messageForReport } from './by-kind.js';
export * from './alert.js';
