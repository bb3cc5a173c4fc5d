/**
 * The Bolt app, one code path for both receivers: HTTP on POST /slack/events (every
 * request's signature checked, timestamps older than 5 minutes refused) or Socket
 * Mode when SLACK_APP_TOKEN is set — both talking to SLACK_API_URL.
 */
import type { Server } from 'node:http';
import {
  App,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
  type Logger as BoltLogger,
} from '@slack/bolt';
import type { Config } from '../../config/schema.js';
import { QuorumError } from '../../domain/errors.js';
import type { Logger } from '../../domain/logger.js';
import type { HttpRoute } from '../http/routes.js';
import { slackClientOptions, type RateLimitedListener } from './web-client.js';

export interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  /** The HTTP receiver's server (its requests can be watched); nothing in Socket Mode. */
  start(): Promise<Server | undefined>;
  stop(): Promise<void>;
}

function boltLogger(logger: Logger): BoltLogger {
  const join = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? m : String(m))).join(' ');
  return {
    debug: (...m: unknown[]) => logger.debug({ bolt: true }, join(m)),
    info: (...m: unknown[]) => logger.info({ bolt: true }, join(m)),
    warn: (...m: unknown[]) => logger.warn({ bolt: true }, join(m)),
    error: (...m: unknown[]) => logger.error({ bolt: true }, join(m)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/**
 * `routes` (health, readiness, metrics) are served by the HTTP receiver; in Socket Mode the caller
 * serves them. `onRateLimited` hears every 429 answer to Bolt's calls (its clients and `respond()`).
 */
export function createSlackApp(
  config: Config,
  logger: Logger,
  routes: HttpRoute[],
  onRateLimited?: RateLimitedListener,
): SlackApp {
  const { botToken, signingSecret, appToken, apiUrl } = config.slack;
  if (!botToken) {
    throw new QuorumError(
      'CONFIG_INVALID',
      'SLACK_BOT_TOKEN is not set.',
      "Set it to the app's bot token (xoxb-…); see docs/slack-bot.md.",
    );
  }
  const clientOptions = slackClientOptions(apiUrl, onRateLimited);
  const log = boltLogger(logger);
  if (appToken) {
    const receiver = new SocketModeReceiver({
      appToken,
      logger: log,
      // A copy: SocketModeClient writes its own retry policy (100 retries, for
      // apps.connections.open) into the object it is given, which the App's client
      // would otherwise inherit for every chat.postMessage.
      installerOptions: { clientOptions: { ...clientOptions } },
    });
    const app = new App({ token: botToken, receiver, clientOptions, logger: log });
    return {
      app,
      mode: 'socket',
      start: async () => {
        await app.start();
        return undefined;
      },
      stop: async () => void (await app.stop()),
    };
  }
  if (!signingSecret) {
    throw new QuorumError(
      'CONFIG_INVALID',
      'SLACK_SIGNING_SECRET is not set (required in HTTP mode).',
      'Set it from the app\'s "Basic Information" page, or set SLACK_APP_TOKEN to use Socket Mode.',
    );
  }
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: '/slack/events',
    customRoutes: routes,
    logger: log,
    unhandledRequestTimeoutMillis: 2_500,
  });
  const app = new App({ token: botToken, receiver, clientOptions, logger: log });
  return {
    app,
    mode: 'http',
    start: () => app.start({ port: config.http.port, host: config.http.host }),
    stop: async () => void (await app.stop()),
  };
}
