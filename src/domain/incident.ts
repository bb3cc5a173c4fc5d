/**
 * An Alertmanager group's incident: the one declaration every layer uses (state keeps
 * it in Redis, the incident workflow changes it, render shows it as the thread's root).
 */
import { createHash } from 'node:crypto';
import type { Alert } from './alert.js';
import type { RunStanding } from './run-standing.js';

/** The group's incident as kept in Redis (a compare-and-set document, state/incidents.ts). */
export interface IncidentGroup {
  version: number;
  groupKey: string;
  channel: string;
  /** The outbox ref of the root message; the thread is its thread. */
  rootRef: string;
  status: 'firing' | 'resolved';
  firstFiringAt: number;
  resolvedAt?: number;
  reopened: number;
  /** When it last fired again after resolving (durations count from it too). */
  reopenedAt?: number;
  /** The group's alerts by fingerprint, as last notified. */
  alerts: Record<string, Alert>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL?: string;
  truncatedAlerts: number;
  /** What the thread last showed; an equal digest is a repeat. */
  digest: string;
  /** The runbook run started in the thread, when a runbook matched. */
  runId?: string;
  runbook?: string;
  /** The notification's groupLabels: what a silence from the thread matches. */
  groupLabels?: Record<string, string>;
  /** Silences can be made from the thread: an Alertmanager is configured for the group. */
  silenceable?: boolean;
  /** The silence made from the thread, while Quorum believes it active. */
  silence?: IncidentSilence;
  /** A click creating a silence right now (app/incidents/silence.ts): a second one waits. */
  silenceClaim?: { by: string; at: number };
}

/** A silence made from the incident's thread (Alertmanager's id; `by` a Slack user id). */
export interface IncidentSilence {
  id: string;
  by: string;
  endsAt: number;
  /** Expired by Quorum when the group resolves. */
  untilResolved: boolean;
}

/** What the root message shows of an incident: its group, with the alerts it shows. */
export interface IncidentView extends Pick<
  IncidentGroup,
  | 'status'
  | 'commonLabels'
  | 'commonAnnotations'
  | 'externalURL'
  | 'truncatedAlerts'
  | 'firstFiringAt'
  | 'resolvedAt'
  | 'reopenedAt'
  | 'runbook'
  | 'silence'
  | 'silenceable'
> {
  /** The group's alerts now firing (or, resolved, that fired). */
  alerts: Alert[];
  reopened?: number;
  /** Where the thread's runbook run stands: with steps open, a resolved alert is not over. */
  run?: RunStanding;
  /** The group's key: what the silence buttons carry. */
  groupKey?: string;
}

/** Stable id of a group: Alertmanager's groupKey can be long and full of braces. */
export const groupIdOf = (groupKey: string) =>
  createHash('sha256')
    .update(groupKey)
    .digest('base64url')
    .slice(0, 22)
    .replace(/[^A-Za-z0-9]/g, 'x');
