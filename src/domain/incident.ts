/**
 * An Alertmanager group's incident: the one declaration every layer uses (state keeps
 * it in Redis, the incident workflow changes it, render shows it as the thread's root).
 */
import { createHash } from 'node:crypto';
import type { Alert } from './alert.js';

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
  | 'runbook'
> {
  /** The group's alerts now firing (or, resolved, that fired). */
  alerts: Alert[];
  reopened?: number;
}

/** Stable id of a group: Alertmanager's groupKey can be long and full of braces. */
export const groupIdOf = (groupKey: string) =>
  createHash('sha256')
    .update(groupKey)
    .digest('base64url')
    .slice(0, 22)
    .replace(/[^A-Za-z0-9]/g, 'x');
