/**
 * Splitting slash-command text into words: double and single quotes (and the
 * curly quotes Slack clients substitute) group words; `key=value` stays one word.
 */
import { QuorumError } from '../../../domain/errors.js';

const OPEN_CLOSE: Record<string, string> = {
  '"': '"',
  "'": "'",
  '“': '”',
  '‘': '’',
  '”': '”',
  '’': '’',
};

export function tokenize(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let closing: string | undefined;
  for (const ch of text) {
    if (closing) {
      if (ch === closing || (closing === '”' && ch === '"')) closing = undefined;
      else word += ch;
    } else if (OPEN_CLOSE[ch]) {
      closing = OPEN_CLOSE[ch];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (closing) {
    throw new QuorumError(
      'USAGE',
      'A quote is not closed.',
      'Close the quote, e.g. cron "0 */6 * * *".',
    );
  }
  if (inWord) words.push(word);
  return words;
}
