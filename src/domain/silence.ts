/**
 * Alertmanager silences as Quorum makes them from an incident thread: the request
 * (equal matchers on the group's labels), where the Alertmanager is and how to reach
 * it, and the small client interface the silence workflow calls (clients/alertmanager.ts).
 */

/** One label of the group, matched exactly (Alertmanager API v2 `matcher`). */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: false;
  isEqual: true;
}

/** `POST /api/v2/silences`' body, as Quorum fills it. */
export interface NewSilence {
  matchers: SilenceMatcher[];
  /** RFC 3339. */
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** An Alertmanager and how to reach it (config: `alertmanager`, per route or per cluster). */
export interface AlertmanagerTarget {
  /** e.g. `http://alertmanager:9093` (the API is under `/api/v2/`). */
  url: string;
  timeoutMs: number;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  tls?: { caFile?: string; certFile?: string; keyFile?: string; insecureSkipVerify?: boolean };
}

/** What the silence workflow asks of an Alertmanager. Errors: ALERTMANAGER_UNREACHABLE / _REFUSED. */
export interface Alertmanager {
  /** Returns the new silence's id. */
  createSilence(silence: NewSilence): Promise<string>;
  /** Expires the silence; one already expired (or gone) counts as expired. */
  expireSilence(id: string): Promise<void>;
}

export type AlertmanagerConnector = (target: AlertmanagerTarget) => Alertmanager;

/** Equal matchers on exactly these labels, sorted by name. */
export const matchersOf = (labels: Record<string, string>): SilenceMatcher[] =>
  Object.keys(labels)
    .sort()
    .map((name) => ({ name, value: labels[name] ?? '', isRegex: false, isEqual: true }));
