/** What the incident workflow needs: Redis (through state/), the outbox, the runbook engine. */
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../domain/logger.js';
import type { OutboxWriter } from '../../domain/outbox-message.js';
import type { AlertmanagerConnector } from '../../domain/silence.js';
import type { StateRedis } from '../../state/redis.js';
import type { RunbookEngine } from '../runbooks/engine.js';

export interface IncidentDeps {
  redis: StateRedis;
  prefix: string;
  outbox: OutboxWriter;
  /** Where runbooks run; without it, incidents get threads but no runbook. */
  engine?: RunbookEngine;
  config: Config;
  logger: Logger;
  /** Reaches the groups' Alertmanagers, for silences from the thread (app/incidents/silence*.ts). */
  alertmanager?: AlertmanagerConnector;
  now?: () => number;
}
