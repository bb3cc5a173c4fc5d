/**
 * `quorum etcd check --json` in-process with the relaxed latency thresholds (this
 * machine's disk is slower than etcd wants), parsed; and small finders.
 *
 *   const check = checkRunner();            // at the top of a test file
 *   const { code, report } = await check(etcd.env, '--timeout', '2s');
 */
import { beforeAll } from 'vitest';
import { quorum, relaxedLatencyConfig } from './cli.js';

export interface CheckFinding {
  id: string;
  severity: string;
  title: string;
  detail?: string;
  remedy?: string;
}

export interface CheckJson {
  status: string;
  exitCode: number;
  findings: CheckFinding[];
  data: {
    hashRevision?: number;
    probes: {
      endpoint: string;
      healthy: boolean;
      status?: { memberId: string; version: string };
      hash?: { revision: number };
    }[];
  };
}

/** Registers a beforeAll that writes the relaxed config; returns the runner. */
export function checkRunner() {
  let relaxed = '';
  beforeAll(async () => {
    relaxed = await relaxedLatencyConfig();
  });
  return async (env: Record<string, string>, ...flags: string[]) => {
    const r = await quorum(['etcd', 'check', '--json', ...flags], {
      QUORUM_CONFIG: relaxed,
      ...env,
    });
    return { ...r, report: JSON.parse(r.stdout || '{}') as CheckJson };
  };
}

export const severitiesOf = (r: CheckJson, id: string): string[] =>
  r.findings.filter((f) => f.id === id).map((f) => f.severity);

export const findingOf = (r: CheckJson, id: string): CheckFinding | undefined =>
  r.findings.find((f) => f.id === id);
