import { randomUUID } from 'node:crypto';
import { loadState } from '#event-store';
import { counter, gauge, serializeError, type Registry } from '#observability';
import type { ProjectionLogger } from '#projection-runner';
import {
  decide,
  DomainError,
  revenueStreamName,
  type Action,
  type ActionType,
  type DecideContext,
  type RevenueAccountState,
} from '#revenue';
import { executeOnOrg, revenueFold, type CommandMeta, type RevenueDeps } from '#revenue-commands';
import type { Channel, ChannelConfig, WebhookTarget } from './channel-config.js';
import { claimDue, endAttempt, outboxBacklog, type ClaimedEntry, type OutboxKind } from './outbox.sql.js';
import { SIGNATURE_HEADER, signPayload } from './signature.js';

export interface DispatcherOptions {
  readonly deps: RevenueDeps;
  readonly config: ChannelConfig;
  readonly logger: ProjectionLogger;
  readonly instanceId?: string;
  /** Pause between polls when nothing is due. Default 1 s. */
  readonly pollMs?: number;
  /** Entries claimed (and sent concurrently) per poll. Default 16. */
  readonly batchSize?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs, with jitter. Defaults 2 s and 15 min. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** [0, 1): the jitter's randomness, injectable for tests. */
  readonly random?: () => number;
  readonly registry?: Registry;
}

/** What a webhook receiver gets (docs/WEBHOOKS.md). */
export interface WebhookPayload {
  readonly type: 'action.approved' | 'action.proposed';
  /** The action id: the same on every attempt, for the receiver to deduplicate. */
  readonly idempotencyKey: string;
  readonly attempt: number;
  readonly orgId: string;
  readonly action: Pick<Action, 'id' | 'actionType' | 'status' | 'creditsReserved' | 'proposedAt' | 'approvedAt'>;
  readonly opportunity: {
    readonly id: string;
    readonly type: string;
    readonly confidence: number;
    readonly source: string;
    readonly details: unknown;
    readonly evidence: unknown;
    readonly detectedAt: string;
  } | null;
}

type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** How long a claim lasts beyond the request's own timeout before another dispatcher may retry it. */
const LEASE_MARGIN_MS = 15_000;
/** A moot or not-yet-deliverable entry is looked at again after this (the projection settles it meanwhile). */
const RECHECK_MS = 30_000;

/**
 * Delivers the outbox: approved actions to their channels (webhook or the local log channel)
 * and, when MAOS registered a webhook, new proposals to MAOS. At least once: each attempt is
 * claimed (and counted) before it is sent, the org's stream is read first so nothing moot or
 * already recorded goes out, and the result is recorded through the domain (sent charges the
 * credits, failed after the last attempt releases them) — once per action, whatever the number
 * of attempts, dispatchers or replays. Retries back off exponentially with jitter.
 */
export class OutboxDispatcher {
  private readonly instanceId: string;
  private readonly kinds: readonly OutboxKind[];
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly metrics;

  constructor(private readonly options: DispatcherOptions) {
    this.instanceId = options.instanceId ?? `dispatcher-${randomUUID().slice(0, 8)}`;
    this.kinds = options.config.maosWebhook ? ['delivery', 'proposal'] : ['delivery'];
    this.metrics = options.registry ? outboxMetrics(options.registry, options.deps, this.kinds) : null;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  /** Finishes the attempts in flight (each bounded by its timeout), then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  /** One poll: claims what is due and delivers it. Returns how many entries were attempted. */
  async dispatchDue(): Promise<number> {
    const { deps } = this.options;
    const now = deps.clock.now();
    const longest = Math.max(
      LEASE_MARGIN_MS,
      ...Object.values(this.options.config.channels).map((c) => (c.kind === 'webhook' ? c.timeoutMs : 0)),
      this.options.config.maosWebhook?.timeoutMs ?? 0,
    );
    const entries = await claimDue(deps.pool, {
      kinds: this.kinds,
      now,
      leaseUntil: new Date(now.getTime() + longest + LEASE_MARGIN_MS),
      limit: this.options.batchSize ?? 16,
      instanceId: this.instanceId,
    });
    await Promise.all(entries.map((entry) => this.attempt(entry)));
    return entries.length;
  }

  private async run(): Promise<void> {
    const batch = this.options.batchSize ?? 16;
    while (!this.stopping) {
      let attempted = 0;
      try {
        attempted = await this.dispatchDue();
      } catch (error) {
        this.options.logger.error({ err: serializeError(error) }, 'outbox poll failed; retrying');
      }
      if (attempted < batch && !this.stopping) await this.pause(this.options.pollMs ?? 1000);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async attempt(entry: ClaimedEntry): Promise<void> {
    const { deps, logger } = this.options;
    try {
      const { state } = await loadState(deps.store, revenueStreamName(entry.orgId), revenueFold);
      const action = state.actions[entry.actionId];
      const due =
        entry.kind === 'delivery' ? action?.status === 'approved' && action.deliveredBy === 'engine' : action?.status === 'proposed';
      if (!action || !due) {
        // Moot (recorded, decided or expired) or not visible yet: the projection settles it.
        await endAttempt(deps.pool, entry, { as: 'not-attempted', nextAttemptAt: this.later(RECHECK_MS) });
        return;
      }
      const channel: Channel | { kind: 'maos'; target: WebhookTarget } =
        entry.kind === 'proposal'
          ? { kind: 'maos', target: this.options.config.maosWebhook! }
          : this.options.config.channels[action.actionType];
      const outcome = await this.send(entry, action, state, channel);
      this.metrics?.attempts.inc({
        kind: entry.kind,
        channel: channelLabel(entry, action.actionType),
        result: outcome.ok ? 'ok' : 'error',
      });
      if (outcome.ok) return await this.delivered(entry);
      const maxAttempts = channel.kind === 'webhook' ? channel.maxAttempts : channel.kind === 'maos' ? channel.target.maxAttempts : 1;
      if (entry.attempt >= maxAttempts) return await this.gaveUp(entry, `${outcome.error} (attempt ${entry.attempt} of ${maxAttempts})`);
      this.metrics?.retries.inc({ kind: entry.kind });
      await endAttempt(deps.pool, entry, {
        as: 'retry',
        at: deps.clock.now(),
        nextAttemptAt: this.later(this.backoff(entry.attempt)),
        error: outcome.error,
      });
    } catch (error) {
      // The database or the event store failed mid-way: the claim runs out and the entry is tried again.
      logger.error({ err: serializeError(error), kind: entry.kind, actionId: entry.actionId }, 'outbox attempt failed');
    }
  }

  private async send(
    entry: ClaimedEntry,
    action: Action,
    state: RevenueAccountState,
    channel: Channel | { kind: 'maos'; target: WebhookTarget },
  ): Promise<Outcome> {
    switch (channel.kind) {
      case 'log':
        // Ids only: what was delivered is in the org's stream.
        this.options.logger.info(
          { channel: 'log', actionId: action.id, actionType: action.actionType, orgId: entry.orgId, attempt: entry.attempt },
          'action delivered to the local log channel',
        );
        return { ok: true };
      case 'external':
        // Approved while the engine delivered this channel, which is external now: nobody will
        // deliver it, so it fails and its credits are released.
        return { ok: false, error: `channel ${action.actionType} is configured as external now` };
      case 'webhook':
        return postSigned(channel, payloadOf('action.approved', entry, action, state), this.options.deps.clock.now());
      case 'maos':
        return postSigned(channel.target, payloadOf('action.proposed', entry, action, state), this.options.deps.clock.now());
    }
  }

  private async delivered(entry: ClaimedEntry): Promise<void> {
    const { deps } = this.options;
    if (entry.kind === 'delivery') await this.record(entry, { result: 'sent' });
    await endAttempt(deps.pool, entry, { as: 'delivered', at: deps.clock.now() });
    this.metrics?.delivered.inc({ kind: entry.kind });
  }

  private async gaveUp(entry: ClaimedEntry, error: string): Promise<void> {
    const { deps } = this.options;
    if (entry.kind === 'delivery') await this.record(entry, { result: 'failed', reason: `delivery failed: ${error}`.slice(0, 500) });
    await endAttempt(deps.pool, entry, { as: 'gave-up', at: deps.clock.now(), error });
    this.metrics?.failures.inc({ kind: entry.kind });
    this.options.logger.warn({ kind: entry.kind, actionId: entry.actionId, error }, 'outbox entry gave up');
  }

  /** Sent or failed, through the domain: a repeat is a no-op, a concurrent expiry wins (and is logged). */
  private async record(entry: ClaimedEntry, report: { result: 'sent' } | { result: 'failed'; reason: string }): Promise<void> {
    const meta: CommandMeta = { actor: { kind: 'system', id: 'outbox-dispatcher' }, correlationId: randomUUID() };
    try {
      await executeOnOrg(this.options.deps, entry.orgId, 'RecordActionDispatch', meta, (state, ctx) =>
        decideReport(state, ctx, entry, report),
      );
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.options.logger.warn({ actionId: entry.actionId, code: error.code, message: error.message }, 'dispatch not recorded');
    }
  }

  private later(ms: number): Date {
    return new Date(this.options.deps.clock.now().getTime() + ms);
  }

  /** Exponential (base * 2^(attempt-1), capped) with "equal jitter": half fixed, half random. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.options.maxBackoffMs ?? 15 * 60_000, (this.options.baseBackoffMs ?? 2000) * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (this.options.random ?? Math.random)() * (ceiling / 2));
  }
}

function decideReport(
  state: RevenueAccountState,
  ctx: DecideContext,
  entry: ClaimedEntry,
  report: { result: 'sent' } | { result: 'failed'; reason: string },
) {
  return decide(
    { kind: 'RecordActionDispatch', orgId: entry.orgId, actionId: entry.actionId, reportedBy: 'engine', ...report },
    state,
    ctx,
  );
}

function payloadOf(type: WebhookPayload['type'], entry: ClaimedEntry, action: Action, state: RevenueAccountState): WebhookPayload {
  const o = state.opportunities[action.opportunityId];
  return {
    type,
    idempotencyKey: action.id,
    attempt: entry.attempt,
    orgId: entry.orgId,
    action: {
      id: action.id,
      actionType: action.actionType,
      status: action.status,
      creditsReserved: action.creditsReserved,
      proposedAt: action.proposedAt,
      approvedAt: action.approvedAt,
    },
    opportunity: o
      ? {
          id: o.id,
          type: o.type,
          confidence: o.confidence,
          source: o.source,
          details: o.details,
          evidence: o.evidence,
          detectedAt: o.detectedAt,
        }
      : null,
  };
}

/**
 * One signed POST. Success is a 2xx status (the body is not read); a redirect is not followed
 * (a receiver that moved must be reconfigured, not guessed). Errors name the status or the
 * network failure only: a receiver's body may hold anything.
 */
async function postSigned(target: WebhookTarget, payload: WebhookPayload, now: Date): Promise<Outcome> {
  const body = JSON.stringify(payload);
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(target.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'idempotency-key': payload.idempotencyKey,
        'user-agent': 'revenue-engine-outbox/1',
        [SIGNATURE_HEADER]: signPayload(target.secret, body, Math.floor(now.getTime() / 1000)),
      },
      body,
    });
    await response.body?.cancel().catch(() => undefined);
    return response.ok ? { ok: true } : { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: networkError(error, target.timeoutMs) };
  }
}

function networkError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `timed out after ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : null;
  return `connection failed${code ? `: ${code}` : ''}`;
}

function channelLabel(entry: ClaimedEntry, actionType: ActionType): string {
  return entry.kind === 'proposal' ? 'maos' : actionType;
}

function outboxMetrics(registry: Registry, deps: RevenueDeps, kinds: readonly OutboxKind[]) {
  // Both gauges are collected in one scrape: they share one backlog query.
  let scrape: Promise<Awaited<ReturnType<typeof outboxBacklog>>> | null = null;
  const backlog = () => (scrape ??= outboxBacklog(deps.pool, kinds, deps.clock.now()).finally(() => (scrape = null)));
  // Every kind, 0 when nothing waits: a drained outbox must not keep reporting its last backlog.
  const byKind = async () => {
    const rows = await backlog();
    return kinds.map((kind) => rows.find((r) => r.kind === kind) ?? { kind, waiting: 0, oldestSeconds: 0 });
  };
  gauge(registry, {
    name: 'revenue_outbox_waiting',
    help: 'Outbox entries not delivered or given up yet, by kind.',
    labelNames: ['kind'],
    async collect() {
      for (const row of await byKind()) this.set({ kind: row.kind }, row.waiting);
    },
  });
  gauge(registry, {
    name: 'revenue_outbox_oldest_waiting_seconds',
    help: 'Age of the oldest outbox entry not delivered or given up yet, by kind.',
    labelNames: ['kind'],
    async collect() {
      for (const row of await byKind()) this.set({ kind: row.kind }, row.oldestSeconds);
    },
  });
  return {
    attempts: counter(registry, {
      name: 'revenue_outbox_attempts_total',
      help: 'Delivery attempts, by kind, channel and result (ok, error).',
      labelNames: ['kind', 'channel', 'result'],
    }),
    delivered: counter(registry, { name: 'revenue_outbox_delivered_total', help: 'Outbox entries delivered.', labelNames: ['kind'] }),
    retries: counter(registry, {
      name: 'revenue_outbox_retries_total',
      help: 'Attempts that failed and will be retried.',
      labelNames: ['kind'],
    }),
    failures: counter(registry, {
      name: 'revenue_outbox_failures_total',
      help: 'Outbox entries given up after their last attempt (deliveries are recorded failed, credits released).',
      labelNames: ['kind'],
    }),
  };
}
