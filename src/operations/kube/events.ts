/**
 * The recent events of one object, newest first and limited, as `kubectl describe`
 * shows them at its end. A Node's events live in the `default` namespace.
 */
import { formatDuration } from '../../domain/units.js';
import type { EventInfo } from '../../domain/kube.js';
import type { Finding, Report } from '../../domain/report.js';
import type { KubeClient } from './client.js';
import { callDeadline, kubeReport, type KubeOpInput } from './report.js';

export interface EventsInput extends KubeOpInput {
  /** Where the events are kept: the object's namespace, `default` for Nodes. */
  namespace?: string;
  kind: string;
  name: string;
  /** Most events kept. Default 20. */
  limit?: number;
  now?: () => number;
}

export type EventsReport = Report<{ events: EventInfo[] }>;

const seenAt = (e: EventInfo) => (e.lastSeen ? Date.parse(e.lastSeen) : 0);

/** Newest first (by last occurrence), at most `limit`. */
export function newestEvents(events: readonly EventInfo[], limit: number): EventInfo[] {
  return [...events].sort((a, b) => seenAt(b) - seenAt(a)).slice(0, Math.max(0, limit));
}

/** `NodeNotReady: Node n1 status is now: NodeNotReady (×3, 2m 5s ago)` */
export function eventLine(e: EventInfo, now: number): string {
  const times = e.count > 1 ? `×${e.count}, ` : '';
  const when = e.lastSeen ? `${formatDuration(Math.max(0, now - seenAt(e)))} ago` : 'time unknown';
  return `${e.reason ?? '?'}: ${e.message ?? ''} (${times}${when})`;
}

function eventFindings(input: EventsInput, events: EventInfo[], now: number): Finding[] {
  const what = `${input.kind} ${input.name}`;
  const warnings = events.filter((e) => e.type === 'Warning');
  if (warnings.length === 0) {
    return [
      {
        id: 'kube.events',
        severity: 'info',
        title: events.length
          ? `${events.length} recent event(s) of ${what}, none a warning`
          : `No recent events of ${what}`,
        detail: events.map((e) => eventLine(e, now)).join('\n') || undefined,
      },
    ];
  }
  return [
    {
      id: 'kube.events.warning',
      severity: 'warn',
      title: `${warnings.length} warning event(s) of ${what}`,
      detail: warnings.map((e) => eventLine(e, now)).join('\n'),
      remedy: `kubectl${input.namespace && input.kind !== 'Node' ? ` -n ${input.namespace}` : ''} describe ${input.kind.toLowerCase()} ${input.name}`,
    },
  ];
}

/** Reads and orders the object's events. */
export async function recentEvents(client: KubeClient, input: EventsInput): Promise<EventsReport> {
  const startedAt = new Date().toISOString();
  const namespace = input.namespace ?? 'default';
  const all = await client.listEvents(
    { namespace, kind: input.kind, name: input.name },
    callDeadline(input),
  );
  const events = newestEvents(all, input.limit ?? 20);
  const now = (input.now ?? Date.now)();
  return kubeReport('kube.events', input.cluster, startedAt, eventFindings(input, events, now), {
    events,
  });
}
