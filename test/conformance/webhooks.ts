/** Webhooks: what the store keeps of them and how it finds the subscribers of an event. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { type Ctx, expectError, sleep, uniq } from './context';
import type { WebhookEvent } from '../../src/core/webhooks/types';

// Public address literals: checked without a DNS lookup, and never delivered to by these tests.
const URL_A = 'https://93.184.216.34/hooks/a';
const URL_B = 'http://198.41.0.4:8080/b?x=1';

const ev = (entity: string, action: string) => ({ entity, action });

export function webhookTests(ctx: Ctx): void {
  describe('webhooks', () => {
    it('creates a webhook and gives it back without its secret, which the store keeps for signing', async () => {
      const before = Date.now();
      const w = await ctx.tracking.webhooks.create({
        name: `hook-${uniq()}`, description: 'déjà vu ✓', url: URL_A, secret: 's3cr3t',
        events: [ev('model_version', 'created'), ev('model_version_alias', 'deleted'), ev('model_version', 'created')],
      });
      assert.match(w.webhookId, /^[0-9a-f-]{36}$/);
      assert.equal(w.status, 'ACTIVE');
      assert.equal(w.description, 'déjà vu ✓');
      // Given twice, kept once, in the order first given.
      assert.deepEqual(w.events, [{ entity: 'model_version', action: 'created' }, { entity: 'model_version_alias', action: 'deleted' }]);
      assert.ok(w.creationTimestamp >= before && w.lastUpdatedTimestamp === w.creationTimestamp);
      assert.equal('secret' in w, false);
      assert.equal('secret' in (await ctx.tracking.webhooks.get(w.webhookId)), false);
      // Kept as given (marked so) by a server without a secret key; the store keeps what it is handed.
      assert.equal((await ctx.store.getWebhook(w.webhookId))?.secret, 'p:s3cr3t');
      const page = await ctx.tracking.webhooks.list({ maxResults: 1000 });
      assert.equal(page.items.some((x) => 'secret' in x), false);
    });

    it('updates only what is given, and an empty secret removes it', async () => {
      const w = await ctx.tracking.webhooks.create({ name: `upd-${uniq()}`, url: URL_A, secret: 'k', description: 'd', events: [ev('prompt', 'created')] });
      await sleep(5);
      const same = await ctx.tracking.webhooks.update(w.webhookId, { name: '', url: '', events: [] });
      assert.equal(same.name, w.name);
      assert.equal(same.url, URL_A);
      assert.deepEqual(same.events, w.events);
      assert.equal(same.description, 'd');
      assert.ok(same.lastUpdatedTimestamp > w.lastUpdatedTimestamp);
      const changed = await ctx.tracking.webhooks.update(w.webhookId, {
        name: 'renamed.hook_1', url: URL_B, description: '', status: 'DISABLED', secret: '',
        events: [ev('prompt_alias', 'deleted'), ev('registered_model', 'created')],
      });
      assert.equal(changed.name, 'renamed.hook_1');
      assert.equal(changed.url, URL_B);
      assert.equal(changed.description, undefined);
      assert.equal(changed.status, 'DISABLED');
      assert.deepEqual(changed.events, [{ entity: 'prompt_alias', action: 'deleted' }, { entity: 'registered_model', action: 'created' }]);
      assert.equal((await ctx.store.getWebhook(w.webhookId))?.secret, undefined);
      await ctx.tracking.webhooks.update(w.webhookId, { secret: 'again' });
      assert.equal((await ctx.store.getWebhook(w.webhookId))?.secret, 'p:again');
    });

    it('refuses bad input and writes nothing', async () => {
      const name = `bad-${uniq()}`;
      const good = { name, url: URL_A, events: [ev('model_version', 'created')] };
      await expectError(ctx.tracking.webhooks.create({ ...good, name: '-x' }), 'INVALID_ARGUMENT', /Webhook name '-x' is invalid/);
      await expectError(ctx.tracking.webhooks.create({ ...good, name: 'a'.repeat(64) }), 'INVALID_ARGUMENT', /is invalid/);
      await expectError(ctx.tracking.webhooks.create({ ...good, url: 'ftp://93.184.216.34/x' }), 'INVALID_ARGUMENT', /Invalid webhook URL scheme: 'ftp'/);
      await expectError(ctx.tracking.webhooks.create({ ...good, url: '   ' }), 'INVALID_ARGUMENT', /cannot be empty/);
      await expectError(ctx.tracking.webhooks.create({ ...good, url: 'not a url' }), 'INVALID_ARGUMENT', /Invalid webhook URL/);
      await expectError(ctx.tracking.webhooks.create({ ...good, url: `https://93.184.216.34/${'x'.repeat(500)}` }), 'INVALID_ARGUMENT', /maximum length/);
      await expectError(ctx.tracking.webhooks.create({ ...good, url: 'http://10.0.0.7/x' }), 'INVALID_ARGUMENT', /non-public/);
      await expectError(ctx.tracking.webhooks.create({ ...good, events: [] }), 'INVALID_ARGUMENT', /non-empty/);
      await expectError(ctx.tracking.webhooks.create({ ...good, events: [ev('model_version_tag', 'created')] }), 'INVALID_ARGUMENT',
        /Invalid action 'created' for entity 'model_version_tag'. Valid actions are: \['deleted', 'set'\]/);
      await expectError(ctx.tracking.webhooks.create({ ...good, events: [ev('entity_unspecified', 'created')] }), 'INVALID_ARGUMENT', /entity/);
      await expectError(ctx.tracking.webhooks.create({ ...good, description: 'd'.repeat(1001) }), 'INVALID_ARGUMENT', /description/);
      await expectError(ctx.tracking.webhooks.create({ ...good, secret: 's'.repeat(1001) }), 'INVALID_ARGUMENT', /secret/);
      const page = await ctx.tracking.webhooks.list({ maxResults: 1000 });
      assert.equal(page.items.some((w) => w.name === name), false);

      const w = await ctx.tracking.webhooks.create(good);
      await expectError(ctx.tracking.webhooks.update(w.webhookId, { events: [ev('prompt', 'set')] }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.webhooks.update(w.webhookId, { name: 'ok', url: 'http://127.0.0.1/x' }), 'INVALID_ARGUMENT', /non-public/);
      assert.deepEqual(await ctx.tracking.webhooks.get(w.webhookId), w);
    });

    it('answers NOT_FOUND for a webhook that does not exist or was deleted', async () => {
      await expectError(ctx.tracking.webhooks.get('nope'), 'NOT_FOUND', /Webhook with ID nope not found\./);
      await expectError(ctx.tracking.webhooks.update('nope', { name: 'x' }), 'NOT_FOUND');
      await expectError(ctx.tracking.webhooks.delete('nope'), 'NOT_FOUND');
      const w = await ctx.tracking.webhooks.create({ name: `del-${uniq()}`, url: URL_A, events: [ev('model_version', 'created')] });
      await ctx.tracking.webhooks.delete(w.webhookId);
      await expectError(ctx.tracking.webhooks.get(w.webhookId), 'NOT_FOUND');
      await expectError(ctx.tracking.webhooks.delete(w.webhookId), 'NOT_FOUND');
      await expectError(ctx.tracking.webhooks.test(w.webhookId), 'NOT_FOUND');
      assert.equal(await ctx.store.getWebhook(w.webhookId), undefined);
    });

    it('lists newest first, a page at a time, with MLflow page tokens and bounds', async () => {
      const all = (await ctx.tracking.webhooks.list({ maxResults: 1000 })).items;
      for (const w of all) await ctx.tracking.webhooks.delete(w.webhookId);
      const made: Array<{ id: string; time: number }> = [];
      for (let i = 0; i < 7; i++) {
        const w = await ctx.tracking.webhooks.create({ name: `page-${i}`, url: URL_A, events: [ev('prompt_tag', 'set')] });
        made.push({ id: w.webhookId, time: w.creationTimestamp });
        if (i % 2 === 0) await sleep(2);
      }
      // Newest first; webhooks made in the same millisecond by id, descending.
      const expected = [...made].sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1)).map((w) => w.id);
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await ctx.tracking.webhooks.list({ maxResults: 3, pageToken: token });
        assert.ok(page.items.length <= 3);
        seen.push(...page.items.map((w) => w.webhookId));
        token = page.nextPageToken;
        pages++;
      } while (token);
      assert.equal(pages, 3);
      assert.deepEqual(seen, expected);
      const times = (await ctx.tracking.webhooks.list({})).items.map((w) => w.creationTimestamp);
      assert.deepEqual(times, [...times].sort((a, b) => b - a));
      assert.equal((await ctx.tracking.webhooks.list({ maxResults: 0 })).items.length, 7);
      await expectError(ctx.tracking.webhooks.list({ maxResults: 1001 }), 'INVALID_ARGUMENT', /max_results must be between 1 and 1000/);
      await expectError(ctx.tracking.webhooks.list({ maxResults: -1 }), 'INVALID_ARGUMENT');
      await expectError(ctx.tracking.webhooks.list({ pageToken: 'garbage!' }), 'INVALID_ARGUMENT', /page token/);
      for (const w of made) await ctx.tracking.webhooks.delete(w.id);
    });

    it('finds the active subscribers of an event, newest first, with their secrets', async () => {
      const event: WebhookEvent = { entity: 'model_version_tag', action: 'deleted' };
      const mk = (name: string, events: ReturnType<typeof ev>[], extra: { secret?: string; status?: 'ACTIVE' | 'DISABLED' } = {}) =>
        ctx.tracking.webhooks.create({ name: `${name}-${uniq()}`, url: URL_A, events, ...extra });
      const first = await mk('sub1', [ev('model_version_tag', 'deleted')], { secret: 'one' });
      await sleep(3);
      const second = await mk('sub2', [ev('prompt', 'created'), ev('model_version_tag', 'deleted')]);
      await mk('off', [ev('model_version_tag', 'deleted')], { status: 'DISABLED' });
      await mk('other', [ev('model_version_tag', 'set')]);
      const found = await ctx.store.webhooksForEvent(event, 100);
      assert.deepEqual(found.map((w) => w.webhookId), [second.webhookId, first.webhookId]);
      assert.equal(found[1].secret, 'p:one');
      assert.deepEqual(found[0].events, second.events);
      assert.equal((await ctx.store.webhooksForEvent(event, 1)).length, 1);
      await ctx.tracking.webhooks.update(second.webhookId, { status: 'DISABLED' });
      assert.deepEqual((await ctx.store.webhooksForEvent(event, 100)).map((w) => w.webhookId), [first.webhookId]);
      await ctx.tracking.webhooks.update(first.webhookId, { events: [ev('prompt', 'created')] });
      assert.deepEqual(await ctx.store.webhooksForEvent(event, 100), []);
    });
  });
}
