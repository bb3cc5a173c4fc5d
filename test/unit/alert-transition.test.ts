import { describe, expect, it } from 'vitest';
import type { Alert, AlertNotification } from '../../src/domain/alert.js';
import { parseNotification } from '../../src/transport/alerts/payload.js';
import type { IncidentGroup } from '../../src/domain/incident.js';
import { transition } from '../../src/app/incidents/transition.js';

const alert = (fp: string, status: 'firing' | 'resolved' = 'firing'): Alert => ({
  status,
  labels: { alertname: 'X', instance: fp },
  annotations: {},
  startsAt: '2026-11-27T00:00:00Z',
  fingerprint: fp,
});
const note = (alerts: Alert[], status?: 'firing' | 'resolved'): AlertNotification => ({
  receiver: 'q',
  status: status ?? (alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved'),
  groupKey: '{}:{alertname="X"}',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  truncatedAlerts: 0,
  alerts,
});
const ctx = (now: number) => ({ channel: 'C1', now, reopenWindowMs: 60_000 });
const step = (g: IncidentGroup | undefined, n: AlertNotification, now: number) => {
  const t = transition(g, n, ctx(now));
  return t && { ...t, group: { ...t.group, version: (g?.version ?? 0) + 1 } };
};

describe('incident transitions', () => {
  it('opens once, ignores repeats, reports joiners and resolutions', () => {
    const opened = step(undefined, note([alert('a')]), 0)!;
    expect(opened.change).toEqual({ type: 'opened' });
    expect(step(opened.group, note([alert('a')]), 10)).toBeUndefined();
    const joined = step(opened.group, note([alert('a'), alert('b')]), 20)!;
    expect(joined.change).toMatchObject({
      type: 'changed',
      joined: [{ fingerprint: 'b' }],
      resolved: [],
    });
    const partly = step(joined.group, note([alert('a'), alert('b', 'resolved')]), 30)!;
    expect(partly.change).toMatchObject({
      type: 'changed',
      joined: [],
      resolved: [{ fingerprint: 'b' }],
    });
    const resolved = step(
      partly.group,
      note([alert('a', 'resolved'), alert('b', 'resolved')]),
      40,
    )!;
    expect(resolved.change).toEqual({ type: 'resolved' });
    expect(resolved.group.resolvedAt).toBe(40);
  });

  it('reopens the same thread within the window, and opens a new one after it', () => {
    const opened = step(undefined, note([alert('a')]), 0)!;
    const resolved = step(opened.group, note([alert('a', 'resolved')]), 10)!;
    const soon = step(resolved.group, note([alert('a')]), 10 + 30_000)!;
    expect(soon.change).toEqual({ type: 'reopened' });
    expect(soon.group.rootRef).toBe(opened.group.rootRef);
    const late = step(resolved.group, note([alert('a')]), 10 + 120_000)!;
    expect(late.change).toEqual({ type: 'opened' });
    expect(late.group.rootRef).not.toBe(opened.group.rootRef);
  });

  it('posts nothing for a resolved group it never saw firing', () => {
    expect(step(undefined, note([alert('a', 'resolved')]), 0)).toBeUndefined();
  });
});

describe('webhook payload', () => {
  it('names the first problems of a malformed notification', () => {
    const r = parseNotification({ version: '4', status: 'firing', alerts: [{ status: 'weird' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem).toContain('payload.groupKey');
      expect(r.problem).toContain('payload.alerts.0.status');
    }
  });
});
