/**
 * Escaping for Slack mrkdwn. Every piece of user- or cluster-controlled text goes
 * through escapeMrkdwn before it reaches a mrkdwn text object or a message's `text`,
 * so nobody can make Quorum say `<!channel>`, `<!here>`, `<@U…>` or `<https://evil|a link>`.
 * The only control sequences Quorum emits are the ones built here from checked values.
 * Nothing here logs.
 */

/** `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;` (Slack decodes exactly these three). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * `<@U123>` for a Slack user ID that Quorum itself knows (requester, approver);
 * anything else (`alice@cp-1 (cli)`, `schedule`) is shown as escaped text.
 */
export function mention(who: string): string {
  return USER_ID.test(who) ? `<@${who}>` : escapeMrkdwn(who);
}

/** `2026-11-26 10:15 UTC`: the fallback clients show when they cannot localise a date. */
export function utcText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A time shown in each reader's own time zone: `<!date^1700000000^{date_short_pretty} at {time}|…>`. */
export function slackDate(ms: number): string {
  const seconds = Math.floor(ms / 1_000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${utcText(ms)}>`;
}

/**
 * Text as inline code (`` `text` ``), escaped. Slack has no escape for a backtick and the
 * first one ends the span (the rest would be read as mrkdwn: `*` bold, `_` italic), so a
 * backtick in the text is shown as `ˋ` (U+02CB), which looks alike and closes nothing.
 */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, '\u02cb')}\``;
}

/** Text for inside a ``` block: escaped, and a ``` in it cannot close the block early. */
export function escapeCode(text: string): string {
  return escapeMrkdwn(text).replace(/```/g, '`\u200b``');
}
