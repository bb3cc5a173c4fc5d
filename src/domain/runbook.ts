/**
 * A runbook, as data (YAML): which alerts it answers, the parameters it takes from
 * their labels, and its steps through the incident cycle. Parsed and checked once
 * when loaded (operations/runbooks/load.ts); inside, the types are trusted.
 */
import { z } from 'zod';
import { SEVERITIES, type Severity } from './report.js';
import { parseDuration } from './units.js';

export const PHASES = ['detect', 'assess', 'contain', 'recover', 'postmortem'] as const;
export type Phase = (typeof PHASES)[number];

const id = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'must be lower-case letters, digits and dashes, e.g. node-not-ready',
  );

/** A parameter: taken from the first label that is set, or given by hand (`key=value`). */
const paramSchema = z
  .object({
    from: z.array(z.string().min(1)).default([]),
    /** `port` strips a trailing `:9100` (the `instance` label of a node exporter). */
    strip: z.enum(['port']).optional(),
    /** What a value must look like; labels are untrusted input. */
    pattern: z.string().default('^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$'),
    required: z.boolean().default(true),
    description: z.string().optional(),
  })
  .strict();

/**
 * `when:` — what earlier steps must have found for a step to run: a finding present
 * (with a severity other than ok, or at least `severityAtLeast`), a metric over a
 * threshold, or `any:` / `all:` of those. `step:` looks at one earlier step only;
 * `otherwise:` is the skip reason shown when it is false (`{value}` filled in).
 * Evaluated by operations/runbooks/conditions.ts.
 */
export type Condition =
  | { finding: string; severityAtLeast?: Severity; step?: string; otherwise?: string }
  | { metric: string; over: number; step?: string; otherwise?: string }
  | { any: Condition[]; otherwise?: string }
  | { all: Condition[]; otherwise?: string };

const SHAPES = ['finding', 'metric', 'any', 'all'] as const;

export const conditionSchema: z.ZodType<Condition, unknown> = z.lazy(() =>
  z
    .object({
      finding: z.string().min(1).optional(),
      severityAtLeast: z
        .enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` })
        .optional(),
      metric: z
        .string()
        .regex(/^[a-z][a-z0-9._-]*$/, 'must be a metric name, e.g. etcd.db.quota.percent')
        .optional(),
      over: z.number({ error: 'must be a number' }).optional(),
      step: id.optional(),
      any: z.array(conditionSchema).min(1, 'needs at least one condition').optional(),
      all: z.array(conditionSchema).min(1, 'needs at least one condition').optional(),
      otherwise: z.string().min(1).max(200).optional(),
    })
    .strict()
    .superRefine((c, ctx) => {
      const shapes = SHAPES.filter((k) => c[k] !== undefined);
      if (shapes.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: `needs exactly one of ${SHAPES.join(', ')} (found ${shapes.join(', ') || 'none'})`,
        });
        return;
      }
      const shape = shapes[0];
      const wrong = (key: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [key], message });
      if (shape !== 'finding' && c.severityAtLeast !== undefined)
        wrong('severityAtLeast', 'belongs to a finding condition');
      if (shape === 'metric' && c.over === undefined)
        wrong('over', 'is required with metric (the threshold the value must exceed)');
      if (shape !== 'metric' && c.over !== undefined)
        wrong('over', 'belongs to a metric condition');
      if ((shape === 'any' || shape === 'all') && c.step !== undefined)
        wrong('step', 'belongs to a finding or metric condition');
    })
    .transform((c): Condition => {
      const otherwise = c.otherwise !== undefined ? { otherwise: c.otherwise } : {};
      const step = c.step !== undefined ? { step: c.step } : {};
      if (c.any) return { any: c.any, ...otherwise };
      if (c.all) return { all: c.all, ...otherwise };
      if (c.metric !== undefined)
        return { metric: c.metric, over: c.over as number, ...step, ...otherwise };
      return {
        finding: c.finding as string,
        ...(c.severityAtLeast ? { severityAtLeast: c.severityAtLeast } : {}),
        ...step,
        ...otherwise,
      };
    }),
);

const stepBase = {
  id,
  phase: z.enum(PHASES, { error: `must be one of ${PHASES.join(', ')}` }),
  title: z.string().min(1).max(150),
  /** What the step looks at or does, and what its result means: shown in the thread. */
  explain: z.string().max(2_000).optional(),
  /** Run only when earlier steps found this (see Condition); skipped, with the reason, when not. */
  when: conditionSchema.optional(),
};

/** `with` values may use `{{param}}`. */
const jobStep = {
  job: z.string().min(1),
  with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
};

export const stepSchema = z.discriminatedUnion('kind', [
  z.object({ ...stepBase, ...jobStep, kind: z.literal('diagnose') }).strict(),
  z
    .object({
      ...stepBase,
      ...jobStep,
      kind: z.literal('action'),
      /** How long its approval request waits (e.g. `30m`), instead of `approvals.expiry`. */
      approvalExpiry: z
        .union([z.number(), z.string()])
        .transform((value, ctx) => {
          const ms = typeof value === 'number' ? value : parseDuration(value);
          if (ms !== undefined && ms > 0) return ms;
          ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration; write e.g. 30m` });
          return z.NEVER;
        })
        .optional(),
      /** What stays broken until this step is done; shown on the incident root while it waits. */
      untilDone: z.string().min(1).max(200).optional(),
    })
    .strict(),
  z
    .object({
      ...stepBase,
      kind: z.literal('manual'),
      /** Commands for the operator to run, `{{param}}` filled in. */
      commands: z.array(z.string()).default([]),
    })
    .strict(),
]);

export const runbookSchema = z
  .object({
    id,
    title: z.string().min(1).max(150),
    description: z.string().max(2_000).optional(),
    match: z
      .object({
        alertnames: z.array(z.string().min(1)).default([]),
        /** Every label must equal (after the alert name matched). */
        labels: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .default({ alertnames: [], labels: {} }),
    params: z.record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/), paramSchema).default({}),
    steps: z.array(stepSchema).min(1, 'needs at least one step'),
  })
  .strict();

export type Runbook = z.output<typeof runbookSchema>;
export type RunbookStep = z.output<typeof stepSchema>;
export type RunbookParam = z.output<typeof paramSchema>;

/** `{{node}}` → the parameter's value. Only declared parameters reach here (load.ts checks). */
export function fill(text: string, params: Record<string, string>): string {
  return text.replace(
    /\{\{\s*([a-zA-Z0-9]+)\s*\}\}/g,
    (_, name: string) => params[name] ?? `{{${name}}}`,
  );
}

/** The step with `{{param}}` filled in its title and explanation, as the thread shows it. */
export function filledStep<S extends RunbookStep>(step: S, params: Record<string, string>): S {
  return {
    ...step,
    title: fill(step.title, params),
    ...(step.explain ? { explain: fill(step.explain, params) } : {}),
  };
}
