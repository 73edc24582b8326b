// Contract: the event feed and webhook leases. Events come out in sequence order after a
// cursor; a due webhook is handed to one relay at a time until its lease ends.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commit, receive, rejectsWithCode, t0Ms, webhook, type UseStore } from '../fixtures.ts';

const leaseMs = 10_000;

export function eventCases(use: UseStore): void {
  describe('events and webhooks', () => {
    it('lists events after a sequence, ascending, at most `limit`', use(async (store) => {
      await receive(store, 'tee-m', 10);
      for (const index of [1, 2, 3, 4, 5]) await commit(store, `ord_${index}`, `cart_${index}`, [{ sku: 'tee-m', quantity: 1 }]);
      const all = await store.events.listEvents(0, 100);
      assert.deepEqual(all.map((event) => event.id), [1, 2, 3, 4, 5].map((index) => `evt_ord_${index}_placed`));
      const sequences = all.map((event) => event.sequence);
      assert.ok(sequences.every((sequence, index) => index === 0 || sequence > sequences[index - 1]!), 'sequences ascend');
      const page = await store.events.listEvents(sequences[1]!, 2);
      assert.deepEqual(page.map((event) => event.id), ['evt_ord_3_placed', 'evt_ord_4_placed']);
      assert.deepEqual(await store.events.listEvents(sequences[4]!, 10), []);
    }));

    it('creates, lists and deletes webhooks', use(async (store) => {
      const orders = webhook('wh_1', { eventTypes: ['order.placed', 'order.cancelled'] });
      const all = webhook('wh_2', { createdAtMs: t0Ms + 1 });
      await store.events.createWebhook(orders);
      await store.events.createWebhook(all);
      assert.deepEqual(await store.events.listWebhooks(), [orders, all]);
      await rejectsWithCode(store.events.createWebhook(webhook('wh_1')), 'conflict');
      assert.equal(await store.events.deleteWebhook('wh_1'), true);
      assert.equal(await store.events.deleteWebhook('wh_1'), false);
      assert.deepEqual(await store.events.listWebhooks(), [all]);
    }));

    it('leases a due webhook to one relay until the lease ends', use(async (store) => {
      await store.events.createWebhook(webhook('wh_1', { nextAttemptAtMs: t0Ms }));
      assert.equal(await store.events.leaseDueWebhook(t0Ms - 1, leaseMs), undefined);
      const leased = await store.events.leaseDueWebhook(t0Ms, leaseMs);
      assert.equal(leased?.id, 'wh_1');
      assert.equal(leased?.secret, 'whsec_wh_1');
      assert.equal(await store.events.leaseDueWebhook(t0Ms + 1, leaseMs), undefined);
      assert.equal(await store.events.leaseDueWebhook(t0Ms + leaseMs - 1, leaseMs), undefined);
      assert.equal((await store.events.leaseDueWebhook(t0Ms + leaseMs, leaseMs))?.id, 'wh_1');
    }));

    it('never hands one webhook to two concurrent relays', use(async (store) => {
      await store.events.createWebhook(webhook('wh_1'));
      await store.events.createWebhook(webhook('wh_2'));
      const leases = await Promise.all(Array.from({ length: 6 }, () => store.events.leaseDueWebhook(t0Ms, leaseMs)));
      const ids = leases.flatMap((lease) => (lease === undefined ? [] : [lease.id]));
      assert.deepEqual(ids.sort(), ['wh_1', 'wh_2']);
    }));

    it('records a delivery, which ends the lease at the next attempt it sets', use(async (store) => {
      await store.events.createWebhook(webhook('wh_1'));
      assert.equal((await store.events.leaseDueWebhook(t0Ms, leaseMs))?.id, 'wh_1');
      await store.events.recordDelivery('wh_1', { deliveredThrough: 7, attempts: 0, nextAttemptAtMs: t0Ms + 1_000, lastError: null });
      assert.equal(await store.events.leaseDueWebhook(t0Ms + 999, leaseMs), undefined);
      const again = await store.events.leaseDueWebhook(t0Ms + 1_000, leaseMs);
      assert.equal(again?.deliveredThrough, 7);
      await store.events.recordDelivery('wh_1', { deliveredThrough: 7, attempts: 3, nextAttemptAtMs: t0Ms + 5_000, lastError: 'HTTP 500' });
      const [stored] = await store.events.listWebhooks();
      assert.deepEqual(stored, webhook('wh_1', { deliveredThrough: 7, attempts: 3, nextAttemptAtMs: t0Ms + 5_000, lastError: 'HTTP 500' }));
    }));

    it('keeps a delivery error readable even when the receiver sent a NUL', use(async (store) => {
      await store.events.createWebhook(webhook('wh_1'));
      await store.events.recordDelivery('wh_1', { deliveredThrough: 0, attempts: 1, nextAttemptAtMs: t0Ms + 1_000, lastError: 'HTTP 500: bad\u0000body' });
      const lastError = (await store.events.listWebhooks())[0]?.lastError ?? '';
      assert.ok(lastError.startsWith('HTTP 500: bad') && lastError.endsWith('body') && !lastError.includes('\u0000'), JSON.stringify(lastError));
    }));

    it('leases the webhook that has waited longest first', use(async (store) => {
      await store.events.createWebhook(webhook('wh_late', { nextAttemptAtMs: t0Ms + 500 }));
      await store.events.createWebhook(webhook('wh_early', { nextAttemptAtMs: t0Ms + 100 }));
      assert.equal((await store.events.leaseDueWebhook(t0Ms + 1_000, leaseMs))?.id, 'wh_early');
      assert.equal((await store.events.leaseDueWebhook(t0Ms + 1_000, leaseMs))?.id, 'wh_late');
    }));
  });
}
