/**
 * Slack's limits on a message, and truncation that stays inside them without
 * breaking an escape (`&amp;`) or a control sequence (`<@U…>`, `<!date…>`) in two.
 * Renderers plan within these limits; these helpers are the last guard.
 */
export const LIMITS = {
  blocks: 50,
  sectionText: 3_000,
  fields: 10,
  fieldText: 2_000,
  header: 150,
  contextElements: 10,
  contextText: 3_000,
  buttonText: 75,
  buttonValue: 2_000,
  /** chat.postMessage allows 40,000; a notification shows far less. */
  fallbackText: 3_000,
} as const;

export const TRUNCATED = '… (cut short)';

/** The longest prefix of `text` that fits `max` UTF-16 units and ends outside any `<…>` or `&…;`. */
function safePrefix(text: string, max: number): string {
  let cut = text.slice(0, Math.max(0, max));
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && amp > cut.lastIndexOf(';') && cut.length - amp < 6) cut = cut.slice(0, amp);
  // Never leave half a surrogate pair (an emoji cut in two).
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** `text` if it fits in `max`, else a prefix of it followed by `note`. */
export function truncate(text: string, max: number, note = TRUNCATED): string {
  if (text.length <= max) return text;
  return `${safePrefix(text, max - note.length)}${note}`;
}
