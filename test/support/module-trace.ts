/**
 * Preloaded with `node --import` (Node strips the types): records the URL of every module
 * the process resolves and writes them, one per line, to $QUORUM_MODULE_TRACE when it
 * exits. What start-up loads is read from here, never from a clock (cli-imports.test.ts).
 */
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';

const seen = new Set<string>();
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
process.on('exit', () => {
  const out = process.env.QUORUM_MODULE_TRACE;
  if (out) writeFileSync(out, [...seen].join('\n'));
});
