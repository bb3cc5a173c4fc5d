/**
 * The reference of `npm run bench:slack`: a bare Bolt app (Quorum's @slack/bolt, the HTTP
 * receiver on /slack/events, the same signing secret and Slack API URL) whose one listener
 * acks /etcd-check and does nothing else. Run as its own process, configured by
 * the same environment as `quorum bot`; says "ready" on stderr; SIGTERM stops it.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const env = process.env;
const receiver = new HTTPReceiver({
  signingSecret: env.SLACK_SIGNING_SECRET ?? '',
  endpoints: '/slack/events',
});
const app = new App({
  token: env.SLACK_BOT_TOKEN ?? '',
  receiver,
  clientOptions: { slackApiUrl: env.SLACK_API_URL ?? '' },
  logLevel: LogLevel.ERROR,
});
// Nothing of Quorum is loaded here: the reference is Bolt alone.
app.command('/etcd-check', async ({ ack }) => {
  await ack();
});
await app.start({ port: Number(env.PORT), host: env.HOST ?? '127.0.0.1' });
process.stderr.write('bare Bolt app: ready\n');
process.once('SIGTERM', () => {
  void app.stop().finally(() => process.exit(0));
});
