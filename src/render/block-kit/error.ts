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

export function errorMessage(err: ErrorLike): SlackMessage {
  const [first = err.code, ...rest] = err.message.split('\n');
  const title = `${SIGN.crit} *${escapeMrkdwn(truncate(first, 500))}*`;
  // The rest of a multi-line message (a config error lists one problem per line) as code.
  const text = rest.length ? codeText(rest.join('\n'), `${title}\n`) : title;
  return {
    text: truncate(`${SIGN.crit} ${escapeMrkdwn(first)}`, LIMITS.fallbackText),
    blocks: [
      section(text),
      ...(err.hint ? [context(`*What to do:* ${escapeMrkdwn(err.hint)}`)] : []),
      context(`Error code \`${escapeMrkdwn(err.code)}\``),
    ],
  };
}
