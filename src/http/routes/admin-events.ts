// Admin API, the event feed and webhook subscriptions.

import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { EventType } from '../../core/events.ts';
import type { AppEnv, AppOptions } from '../env.ts';
import { idempotencyKeyParameter, jsonBodyOf, jsonContent, problems } from '../openapi.ts';
import { CreateWebhookBody, EventPage, EventsQuery, IdParam, Webhook } from '../schemas.ts';
import { eventJson, webhookJson } from '../views.ts';

export function adminEventRoutes(app: OpenAPIHono<AppEnv>, { shop }: AppOptions): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/events',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'The event feed after a cursor (the sequence of the last event read)',
      request: { query: EventsQuery },
      responses: { 200: jsonContent(EventPage, 'Events in order'), 401: problems[401], 422: problems[422] },
    }),
    async (c) => {
      const { after, limit } = c.req.valid('query');
      const page = await shop.webhooks.events(Number(after), limit);
      return c.json({ items: page.items.map(eventJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/webhooks',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Webhook subscriptions',
      responses: { 200: jsonContent(z.object({ items: z.array(Webhook) }), 'The webhooks'), 401: problems[401] },
    }),
    async (c) => c.json({ items: (await shop.webhooks.list()).map((webhook) => webhookJson(webhook, false)) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/webhooks',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Subscribe a URL to events (signed per Standard Webhooks; the secret is shown once)',
      parameters: [idempotencyKeyParameter],
      request: { ...jsonBodyOf(CreateWebhookBody) },
      responses: { 201: jsonContent(Webhook, 'The webhook with its secret'), 401: problems[401], 409: problems[409], 422: problems[422] },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const webhook = await shop.webhooks.create({ url: body.url, eventTypes: body.events as EventType[] });
      return c.json(webhookJson(webhook, true), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/admin/webhooks/{id}',
      tags: ['admin'],
      security: [{ adminKey: [] }],
      summary: 'Remove a webhook',
      parameters: [idempotencyKeyParameter],
      request: { params: IdParam },
      responses: { 200: jsonContent(z.object({ deleted: z.literal(true) }), 'Deleted'), 401: problems[401], 404: problems[404] },
    }),
    async (c) => {
      await shop.webhooks.remove(c.req.valid('param').id);
      return c.json({ deleted: true as const }, 200);
    },
  );
}
