/**
 * The layering of ARCHITECTURE.md, one rule per layer, checked by `npm run lint`
 * (`depcruise src`). Imports flow one way:
 *
 *   main.ts, deps.ts, runtime-deps.ts   wiring: the only place concrete clients are built
 *   transport/  → app, operations, render, state, domain, config
 *   app/        → operations, render, state, domain, config     (workflows)
 *   clients/    → operations (the interfaces they implement), domain, config
 *   operations/ → domain                 render/ → domain        state/ → domain
 *   config/     → domain                 domain/ → nothing of ours
 *
 * Type-only imports count too: a layer that names another's types depends on it.
 */
const layer = (name) => `^src/${name}/`;
const only = (from, allowed, comment) => ({
  name: `${from}-imports-only-${allowed.join('-')}`,
  comment,
  severity: 'error',
  from: { path: layer(from) },
  to: {
    path: '^src/',
    pathNot: [layer(from), ...allowed.map(layer)],
  },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles hide the layering; break them (a shared type goes to domain/).',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    only('domain', [], 'domain/ is the shared vocabulary: it imports nothing of ours.'),
    only('operations', ['domain'], 'Operations are plain functions over interfaces they declare.'),
    only('render', ['domain'], 'Renderers are pure functions of domain values.'),
    only('state', ['domain'], 'state/ owns every Redis key; it knows no other layer.'),
    only('config', ['domain'], 'The config is parsed once into domain-shaped values.'),
    only(
      'clients',
      ['operations', 'domain', 'config'],
      "Adapters implement operations' interfaces.",
    ),
    only(
      'app',
      ['operations', 'render', 'state', 'domain', 'config'],
      'Workflows coordinate state, queue (through ports) and operations; never a transport.',
    ),
    {
      name: 'transport-builds-no-clients',
      comment: 'Only main.ts (with deps.ts and runtime-deps.ts) builds concrete clients.',
      severity: 'error',
      from: { path: '^src/(transport|app|operations|render|state|domain|config)/' },
      to: { path: ['^src/clients/', '^src/(deps|runtime-deps|main)\\.ts$'] },
    },
    {
      name: 'operations-know-no-transport-libraries',
      comment: 'Nothing under operations/, state/, domain/ or render/ talks Slack, BullMQ or logs.',
      severity: 'error',
      from: { path: '^src/(operations|state|domain|render)/' },
      to: { path: 'node_modules/(@slack|bullmq|ioredis|pino)(/|$)' },
    },
    {
      name: 'state-talks-redis-through-its-interface',
      comment: 'state/ declares the Redis commands it needs (state/redis.ts).',
      severity: 'error',
      from: { path: '^src/state/' },
      to: { path: 'node_modules/ioredis' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
