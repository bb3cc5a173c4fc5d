/**
 * Cron patterns, checked once where they come in (a slash command, the config file) by
 * the parser BullMQ's job schedulers run them with — cron-parser, imported as BullMQ
 * imports it, with BullMQ's options (`tz: 'UTC'`, from now) — so a pattern accepted
 * here is one the scheduler can run. Five fields (minute hour day-of-month month
 * day-of-week), or six with seconds first.
 */
import { CronExpressionParser } from 'cron-parser';

/** `pattern`: the fields joined by single spaces; `problem`: what is wrong, naming the field. */
export type CronCheck = { ok: true; pattern: string } | { ok: false; problem: string };

const FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];

/** The parser's complaint about `pattern`, or undefined when the scheduler can run it. */
function complaint(pattern: string, now: Date): string | undefined {
  try {
    // BullMQ swallows an error from next() and then never runs the job: refuse it here.
    CronExpressionParser.parse(pattern, { tz: 'UTC', currentDate: now }).next();
    return undefined;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).split('\n')[0];
  }
}

export function checkCron(text: string, now: Date = new Date()): CronCheck {
  const fields = text.trim().split(/\s+/).filter(Boolean);
  if (fields.length < 5 || fields.length > 6) {
    return {
      ok: false,
      problem: `it has ${fields.length} field${fields.length === 1 ? '' : 's'}, not five (${FIELDS.join(' ')})`,
    };
  }
  const names = fields.length === 6 ? ['second', ...FIELDS] : FIELDS;
  const pattern = fields.join(' ');
  const whole = complaint(pattern, now);
  if (whole === undefined) return { ok: true, pattern };
  // Name the field: each one alone, every other field `*`.
  for (const [i, field] of fields.entries()) {
    const alone = complaint(fields.map((f, j) => (j === i ? f : '*')).join(' '), now);
    if (alone !== undefined)
      return { ok: false, problem: `the ${names[i]} field "${field}" is wrong (${alone})` };
  }
  return { ok: false, problem: `its fields never meet on a date (${whole})` };
}
