/** An error for Slack: what went wrong, what to do, and the code to look up. */
import type { SlackMessage } from './blocks.js';
import { codeText, context, section } from './build.js';
import { escapeMrkdwn } from './escape.js';
import { LIMITS, truncate } from './limits.js';
import { SIGN } from './verdict.js';

/** A QuorumError fits; so does anything with a code, a message and perhaps a hint. */
export interface ErrorLike {
  code: string;
  message: string;
  hint?: string;
}

/** `title` (mrkdwn) over the rest of a multi-line message, then the hint and the code. */
function coded(err: ErrorLike, title: string, fallback: string, rest: string[]): SlackMessage {
  // The rest of a multi-line message (a config error lists one problem per line) as code.
  const text = rest.length ? codeText(rest.join('\n'), `${title}\n`) : title;
  return {
    text: truncate(fallback, LIMITS.fallbackText),
    blocks: [
      section(text),
      ...(err.hint ? [context(`*What to do:* ${escapeMrkdwn(err.hint)}`)] : []),
      context(`Error code \`${escapeMrkdwn(err.code)}\``),
    ],
  };
}

export function errorMessage(err: ErrorLike): SlackMessage {
  const [first = err.code, ...rest] = err.message.split('\n');
  const title = `${SIGN.crit} *${escapeMrkdwn(truncate(first, 500))}*`;
  return coded(err, title, `${SIGN.crit} ${escapeMrkdwn(first)}`, rest);
}

/** A job that failed for good, in its thread: `:x: <title> failed: <message>`, what to do, the code. */
export function jobFailureMessage(jobTitle: string, err: ErrorLike): SlackMessage {
  const [first = err.code, ...rest] = err.message.split('\n');
  const what = escapeMrkdwn(jobTitle);
  const title = `:x: *${what} failed:* ${escapeMrkdwn(truncate(first, 500))}`;
  return coded(err, title, `:x: ${what} failed: ${escapeMrkdwn(first)}`, rest);
}
