/** pino, with every credential-shaped field redacted wherever it appears. */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

const SECRET_KEYS = [
  'password',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'authorization',
  'Authorization',
  'privateKey',
  'ETCDCTL_USER',
  'ETCDCTL_PASSWORD',
  'sentinelPassword',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'QUORUM_ALERT_TOKEN',
  'QUORUM_ALERTMANAGER_TOKEN',
  'secretAccessKey',
  'sessionToken',
  'credentials',
  'bearerToken',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'x-amz-security-token',
];

/** `password`, `*.password`, … down to six levels (`config.clusters[0].etcd.password`): pino's paths are explicit. */
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) =>
  Array.from({ length: 6 }, (_, depth) => [...Array<string>(depth).fill('*'), k].join('.')),
);

export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'quorum' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination(2),
  );
}
