/** A Logger that keeps every line it is given, for tests that assert what reached the log. */
import type { Logger } from '../../src/domain/logger.js';

export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

export function recordingLogger(): { logger: Logger; logged: LoggedLine[] } {
  const logged: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (obj: object, msg?: string): void =>
      void logged.push({ level, obj, msg });
  return {
    logged,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}
