/**
 * How often a Velero Schedule runs, for its staleness: `@every 6h` (Velero's Go duration,
 * e.g. `1h30m`), a predefined `@daily`, or a cron pattern, whose interval is taken as the
 * gap between its last two runs before now (UTC, as Velero's controller runs them by
 * default). Undefined when the text is none of these: the report then says it could not
 * judge the schedule, never that it is fresh.
 */
import { CronExpressionParser } from 'cron-parser';

const GO_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

function everyMs(text: string): number | undefined {
  const m = GO_DURATION.exec(text.trim());
  if (!m || !(m[1] || m[2] || m[3])) return undefined;
  const ms = (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
  return ms > 0 ? ms : undefined;
}

export function scheduleIntervalMs(text: string, now: Date): number | undefined {
  const schedule = text.trim().replace(/^CRON_TZ=\S+\s+|^TZ=\S+\s+/, '');
  if (schedule.startsWith('@every ')) return everyMs(schedule.slice('@every '.length));
  // cron-parser fills in missing fields ('' would be every minute): five fields (Velero's),
  // or six with seconds first (the config's schedules), or a predefined `@daily`.
  const fields = schedule.split(/\s+/).length;
  if (!schedule.startsWith('@') && (fields < 5 || fields > 6)) return undefined;
  try {
    const cron = CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: now });
    const last = cron.prev().getTime();
    const before = cron.prev().getTime();
    return last - before > 0 ? last - before : undefined;
  } catch {
    return undefined;
  }
}
