// Delivers outbox events to webhooks, at least once and in order per webhook, signed per
// Standard Webhooks (webhook-id is the event id, so receivers can drop duplicates). Runs on
// any runtime with fetch; many instances may run it, the store's lease keeps one per webhook.

import { Webhook as Signer } from 'standardwebhooks';
import type { StoredEvent } from '../core/events.ts';
import type { Clock, EventStore, Webhook } from '../core/ports.ts';

export const deliveryTimeoutMs = 10_000;
export const deliveryLeaseMs = 60_000;
export const eventsPerLeaseMax = 100;
const backoffBaseMs = 1_000;
const backoffMaxMs = 60 * 60 * 1000;

export interface RelayLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface Relay {
  /** Delivers what is due for one webhook; false when nothing was due. */
  deliverOnce(): Promise<boolean>;
}

export function createRelay(deps: { events: EventStore; clock: Clock; logger: RelayLogger; fetch?: typeof fetch }): Relay {
  const send = deps.fetch ?? fetch;

  async function post(webhook: Webhook, event: StoredEvent): Promise<void> {
    const body = JSON.stringify({ type: event.type, timestamp: new Date(event.occurredAtMs).toISOString(), data: event.data });
    const sentAt = new Date(deps.clock.nowMs());
    const signature = new Signer(webhook.secret).sign(event.id, sentAt, body);
    const response = await send(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      signal: AbortSignal.timeout(deliveryTimeoutMs),
    });
    await response.body?.cancel();
    if (response.status < 200 || response.status >= 300) throw new Error(`receiver answered ${response.status}`);
  }

  return {
    async deliverOnce() {
      const webhook = await deps.events.leaseDueWebhook(deps.clock.nowMs(), deliveryLeaseMs);
      if (webhook === undefined) return false;
      const events = await deps.events.listEvents(webhook.deliveredThrough, eventsPerLeaseMax);
      let deliveredThrough = webhook.deliveredThrough;
      try {
        for (const event of events) {
          const wanted = webhook.eventTypes.length === 0 || webhook.eventTypes.includes(event.type);
          if (wanted) await post(webhook, event);
          deliveredThrough = event.sequence;
        }
        const more = events.length === eventsPerLeaseMax;
        await deps.events.recordDelivery(webhook.id, {
          deliveredThrough,
          attempts: 0,
          // With a full page there is more to send now; otherwise look again shortly.
          nextAttemptAtMs: deps.clock.nowMs() + (more ? 0 : 250),
          lastError: null,
        });
      } catch (error) {
        const attempts = webhook.attempts + 1;
        const message = error instanceof Error ? error.message : String(error);
        deps.logger.warn({ webhook: webhook.id, attempts, error: message }, 'webhook delivery failed');
        await deps.events.recordDelivery(webhook.id, {
          deliveredThrough,
          attempts,
          nextAttemptAtMs: deps.clock.nowMs() + Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(attempts, 20)),
          lastError: message.slice(0, 500),
        });
      }
      return true;
    },
  };
}
