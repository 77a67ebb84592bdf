/**
 * A run's W&B data: config and summary documents, non-numeric history values, stream offsets
 * that make a resent chunk a no-op, console lines; and MLflow reads that stay as they were.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { HistoryRow } from '../../src/core/model';
import type { JsonObject, JsonValue } from '../../src/core/json-value';
import { LIMITS } from '../../src/core/limits';
import { type Ctx, expectError, logMetrics, newExperiment, newRun, point, sameNumbers } from './context';

const HISTORY = 'wandb-history.jsonl';
const EVENTS = 'wandb-events.jsonl';
const OUTPUT = 'output.log';

/** A config as UpsertBucket sends it, with what a plain JSON parser would lose or choke on. */
const richConfig = (): JsonObject => ({
  lr: { value: 0.01 },
  layers: { value: [1, 2, { deep: { deeper: [null, true, false, 'x'] } }] },
  'unicode ключ 😀': { value: 'значение — 🚀 \u2028 "quoted" \\ \u0000 nul' },
  big: { value: 2n ** 62n },
  negBig: { value: -(2n ** 63n) },
  huge: { value: 10n ** 30n },
  float70: { value: 2 ** 70 },
  special: { value: { nan: NaN, inf: Infinity, ninf: -Infinity, negZero: -0 } },
  '3': { value: 'integer-like key' },
  _wandb: { value: { cli_version: '0.31.0', t: { '1': [1, 5], '13': 'linux' }, m: [] } },
});

const row = (step: number, values: Record<string, JsonValue>, metrics: Record<string, number> = {}, timestamp = 1_000 + step): HistoryRow => ({
  step,
  timestamp,
  metrics: Object.entries(metrics).map(([key, value]) => ({ key, value })),
  values: Object.entries(values).map(([key, value]) => ({ key, value })),
});

/** One value of every kind a W&B history line carries besides plain numbers. */
const everyKind = (): Record<string, JsonValue> => ({
  caption: 'épreuve 😀',
  done: true,
  missing: null,
  list: [1, 'two', [3, NaN]],
  nested: { a: 1, b: { c: 2, inf: -Infinity } },
  exact: 2n ** 62n,
  img: { _type: 'image-file', path: 'media/images/img_0_0123456789abcdef0123.png', sha256: 'ab'.repeat(32), size: 1234, format: 'png', width: 8, height: 8 },
  tbl: { _type: 'table-file', path: 'media/table/tbl_0_abc.table.json', sha256: 'cd'.repeat(32), size: 99, ncols: 2, nrows: 3, log_mode: 'IMMUTABLE', artifact_path: 'wandb-client-artifact://x1/tbl.table.json' },
  hist: { _type: 'histogram', values: [1, 4, 2], bins: [0, 0.5, 1, 1.5] },
});

const KINDS: Record<string, string> = {
  caption: 'string', done: 'bool', missing: 'null', list: 'list', nested: 'object', exact: 'integer', img: 'media', tbl: 'table', hist: 'histogram',
};

export function runDataTests(ctx: Ctx): void {
  describe('run data (W&B)', () => {
    let exp = '';
    before(async () => {
      exp = await newExperiment(ctx, 'run-data');
    });
    const rd = () => ctx.tracking.runData;

    /** Rows of every table a run's data lives in, for this run. */
    async function counts(runId: string): Promise<Record<string, number>> {
      const rid = (await ctx.store.db('runs').where({ run_uuid: runId }).first('rid')).rid;
      const out: Record<string, number> = {};
      const count = async (table: string, q: (b: any) => any) => {
        const [r] = await q(ctx.store.db(table)).count({ n: '*' });
        out[table] = Number(r.n);
      };
      for (const t of ['metrics', 'latest_metrics', 'run_documents', 'run_streams', 'run_history_values', 'params', 'tags']) {
        await count(t, (b) => b.where({ rid }));
      }
      await count('run_console_lines', (b) => b.whereIn('stream_id', ctx.store.db('run_streams').where({ rid }).select('stream_id')));
      return out;
    }

    async function allValues(runId: string) {
      return (await rd().historyValues(runId)).items;
    }

    it('indexes colliding flattened keys once (the first in document order) and keeps both documents whole', async () => {
      const id = await newRun(ctx, exp);
      const rid = (await ctx.store.db('runs').where({ run_uuid: id }).first('rid')).rid;
      const indexed = async (doc: string) => (await ctx.store.db('run_values').where({ rid, doc }).orderBy('key').select('key', 'num'))
        .map((r: any) => [r.key, Number(r.num)]);
      const config: JsonObject = { 'val.acc': { value: 0.5 }, val: { value: { acc: 0.6, 'x.y': 1, x: { y: 2 } } } };
      await rd().setConfig(id, config);
      assert.deepEqual(await rd().config(id), config);
      assert.deepEqual(await indexed('config'), [['val.acc', 0.5], ['val.x.y', 1]]);
      const summary: JsonObject = { 'a.b': 1, a: { b: 2, c: 3 } };
      await rd().setSummary(id, summary);
      assert.deepEqual(await rd().summary(id), summary);
      assert.deepEqual(await indexed('summary'), [['a.b', 1], ['a.c', 3]]);
      await rd().setSummary(id, { a: { b: 2 }, 'a.b': 1 });
      assert.deepEqual(await indexed('summary'), [['a.b', 2]]);
    });

    it('keeps numbers under keys MLflow refuses as history values of kind number, read back in the rows; legal keys stay metrics', async () => {
      const id = await newRun(ctx, exp);
      const odd = { 'acc@1': 0.5, 'top-1 (%)': 97, 'loss[0]': -Infinity, 'a//b': 2 };
      await rd().logHistoryRows(id, HISTORY, 0, [row(0, { 'system/x': 7 }, { ...odd, loss: 1 }), row(1, {}, { 'acc@1': NaN, loss: 2 })]);
      const values = await allValues(id);
      assert.deepEqual(values.map((v) => [v.step, v.key, v.kind]).sort(),
        [[0, 'a//b', 'number'], [0, 'acc@1', 'number'], [0, 'loss[0]', 'number'], [0, 'system/x', 'number'], [0, 'top-1 (%)', 'number'], [1, 'acc@1', 'number']]);
      assert.deepEqual((await ctx.tracking.runs.get(id)).metrics.map((m) => m.key), ['loss']);
      const rows = await ctx.tracking.historyRows.page(id, { limit: 10 });
      assert.deepEqual(rows.map((r) => Object.fromEntries(r.values)), [{ loss: 1, ...odd, 'system/x': 7 }, { loss: 2, 'acc@1': NaN }]);
      // A history value is never a system metric, whatever its name.
      assert.deepEqual(await ctx.tracking.historyRows.page(id, { limit: 10, system: true }), []);
      const keys = (await ctx.tracking.historyRows.keys(id)).keys.map((k) => [k.key, k.kind, k.count]).sort();
      assert.deepEqual(keys, [['a//b', 'number', 1], ['acc@1', 'number', 2], ['loss', 'number', 2], ['loss[0]', 'number', 1], ['system/x', 'number', 1], ['top-1 (%)', 'number', 1]]);
    });

    it('keeps a nested config exactly, unicode, big integers and NaN/±Infinity inside, and replaces it whole', async () => {
      const id = await newRun(ctx, exp);
      assert.deepEqual(await rd().config(id), {});
      await rd().setConfig(id, richConfig());
      const back = await rd().config(id);
      assert.deepEqual(back, richConfig());
      const special = (back.special as any).value;
      assert.ok(Number.isNaN(special.nan) && Object.is(special.negZero, -0));
      assert.equal(typeof (back.big as any).value, 'bigint');
      assert.equal(typeof (back.float70 as any).value, 'number');
      assert.deepEqual(Object.keys(back).sort(), Object.keys(richConfig()).sort());

      // UpsertBucket sends the full config each time: keys it no longer has are gone.
      await rd().setConfig(id, { lr: { value: 0.02 }, epochs: { value: 3 } });
      assert.deepEqual(await rd().config(id), { lr: { value: 0.02 }, epochs: { value: 3 } });
      assert.deepEqual(await rd().summary(id), {}, 'the config is not the summary');
    });

    it('holds documents past 64 KiB of multi-byte text and refuses ones over the limit, keeping the old one', async () => {
      const id = await newRun(ctx, exp);
      const big = { text: { value: 'ж😀'.repeat(200_000) } };
      await rd().setConfig(id, big);
      assert.deepEqual(await rd().config(id), big);
      // At the limit, of the characters every driver escapes (a quote becomes \" in JSON, and each of those two characters is escaped again).
      const quotes = '"'.repeat(Math.floor((LIMITS.runDocumentBytes - 32) / 2));
      await rd().setConfig(id, { text: { value: quotes } });
      assert.equal(((await rd().config(id)).text as any).value, quotes);
      const backslashes = '\\'.repeat(LIMITS.consoleLineBytes);
      await rd().logConsoleLines(id, OUTPUT, 0, [backslashes]);
      assert.equal((await rd().consoleLines(id, OUTPUT))[0].text, backslashes);
      await rd().setConfig(id, big);
      const tooBig = { text: { value: 'x'.repeat(LIMITS.runDocumentBytes) } };
      await expectError(rd().setConfig(id, tooBig), 'INVALID_ARGUMENT', /exceeds the maximum size/);
      await expectError(rd().setConfig(id, [1] as any), 'INVALID_ARGUMENT', /JSON object/);
      await expectError(rd().setConfig(id, { when: new Date() } as any), 'INVALID_ARGUMENT', /Date/);
      let deep: JsonValue = 1;
      for (let i = 0; i < LIMITS.jsonNesting; i++) deep = [deep];
      await expectError(rd().setSummary(id, { deep }), 'INVALID_ARGUMENT', /deeper than/);
      assert.deepEqual(await rd().config(id), big);
      assert.deepEqual(await rd().summary(id), {});
    });

    it('replaces the summary whole and updates single entries, keeping the rest', async () => {
      const id = await newRun(ctx, exp);
      await rd().setSummary(id, { loss: 0.2, acc: 0.4, best: 42, 'val/acc': { max: 0.9 }, _wandb: { runtime: 3 }, _step: 4, gone: 'soon' });
      await rd().setSummary(id, { loss: 0.1, acc: NaN, 'val/acc': { max: 0.95 }, _wandb: { runtime: 12 }, _runtime: 12.5 });
      const replaced = await rd().summary(id);
      assert.deepEqual(replaced, { loss: 0.1, acc: NaN, 'val/acc': { max: 0.95 }, _wandb: { runtime: 12 }, _runtime: 12.5 });

      await rd().updateSummary(id, { acc: 0.5, note: 'édité', exact: 2n ** 62n }, ['_runtime', 'not-there']);
      assert.deepEqual(await rd().summary(id), { loss: 0.1, acc: 0.5, 'val/acc': { max: 0.95 }, _wandb: { runtime: 12 }, note: 'édité', exact: 2n ** 62n });
      await rd().updateSummary(id, {}, ['loss', 'acc', 'val/acc', '_wandb', 'note', 'exact']);
      assert.deepEqual(await rd().summary(id), {});
      await expectError(rd().updateSummary(id, { ['k'.repeat(251)]: 1 }), 'INVALID_ARGUMENT');
      await expectError(rd().setSummary('0123456789abcdef0123456789abcdef', {}), 'NOT_FOUND');
      await expectError(rd().summary('0123456789abcdef0123456789abcdef'), 'NOT_FOUND');
    });

    it('refuses W&B data for a deleted run', async () => {
      const id = await newRun(ctx, exp);
      await ctx.tracking.runs.delete(id);
      await expectError(rd().setConfig(id, {}), 'INVALID_STATE');
      await expectError(rd().logHistoryRows(id, HISTORY, 0, [row(0, { s: 'x' })]), 'INVALID_STATE');
      await expectError(rd().logConsoleLines(id, OUTPUT, 0, ['x']), 'INVALID_STATE');
    });

    it('keeps history values of every kind, with their step, time, stream line and kind', async () => {
      const id = await newRun(ctx, exp);
      const step = 2n ** 62n;
      const res = await rd().logHistoryRows(id, HISTORY, 0, [
        row(0, everyKind(), { loss: 1 }),
        { step, timestamp: 1_795_737_677_372, metrics: [{ key: 'loss', value: 0.5 }], values: [{ key: 'caption', value: 'last' }] },
      ]);
      assert.deepEqual(res, { applied: 2, nextOffset: 2 });
      const values = await allValues(id);
      assert.equal(values.length, Object.keys(everyKind()).length + 1);
      for (const v of values.filter((x) => x.line === 0)) {
        assert.deepEqual(v.value, everyKind()[v.key], v.key);
        assert.equal(v.kind, KINDS[v.key], v.key);
        assert.deepEqual([v.step, v.timestamp, v.stream], [0, 1_000, HISTORY]);
      }
      const list = values.find((v) => v.key === 'list')!.value as any[];
      assert.ok(Number.isNaN(list[2][1]));
      assert.equal(values.find((v) => v.key === 'exact')!.value, 2n ** 62n);

      const captions = (await rd().historyValues(id, { key: 'caption' })).items;
      assert.deepEqual(captions.map((c) => [c.step, c.timestamp, c.line, c.value]), [[0, 1_000, 0, 'épreuve 😀'], [step, 1_795_737_677_372, 1, 'last']]);
      // Paged reads resume where the last page stopped.
      const first = await rd().historyValues(id, { maxResults: 4 });
      assert.equal(first.items.length, 4);
      const rest = await rd().historyValues(id, { pageToken: first.nextPageToken, maxResults: 1000 });
      assert.deepEqual([...first.items, ...rest.items], values);
      assert.equal(rest.nextPageToken, undefined);

      // Numeric values are metrics, at the row's step and time; the others are not.
      const run = await ctx.tracking.runs.get(id);
      assert.deepEqual(run.metrics.map((m) => m.key), ['loss']);
      assert.deepEqual([run.metrics[0].value, run.metrics[0].step], [0.5, step]);
      const loss = (await ctx.tracking.history.get(id, 'loss')).items;
      assert.deepEqual(loss.map((p) => [p.step, p.timestamp, p.value]), [[0, 1_000, 1], [step, 1_795_737_677_372, 0.5]]);
      assert.deepEqual((await ctx.tracking.history.get(id, 'caption')).items, []);
    });

    it('pages large values a few at a time, within the page budget, and resumes where a page stopped', async () => {
      const id = await newRun(ctx, exp);
      const size = Math.floor(LIMITS.runDataPageChars / 3.5);
      const big = (i: number) => String(i).repeat(size);
      for (let i = 0; i < 5; i++) await rd().logHistoryRows(id, HISTORY, i, [row(i, { blob: big(i) })]);
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await rd().historyValues(id, { key: 'blob', pageToken: token });
        assert.ok(page.items.length >= 1 && page.items.reduce((n, v) => n + (v.value as string).length, 0) <= LIMITS.runDataPageChars, `page ${pages} holds ${page.items.length} values`);
        seen.push(...page.items.map((v) => v.value as string));
        token = page.nextPageToken;
        pages++;
      } while (token && pages < 10);
      assert.equal(pages, 2);
      assert.deepEqual(seen.map((v) => v[0]), ['0', '1', '2', '3', '4']);
      assert.ok(seen.every((v, i) => v === big(i)));

      for (let i = 0; i < 4; i++) await rd().logConsoleLines(id, OUTPUT, i, [big(i)]);
      const lines = await rd().consoleLines(id, OUTPUT);
      assert.deepEqual(lines.map((l) => l.line), [0, 1, 2]);
      assert.deepEqual((await rd().consoleLines(id, OUTPUT, 3)).map((l) => [l.line, l.text === big(3)]), [[3, true]]);
    });

    it('changes nothing for a resent chunk, and applies only the new lines of an overlapping one', async () => {
      const id = await newRun(ctx, exp);
      const chunk = [0, 1, 2].map((i) => row(i, { tag: `line ${i}`, img: { _type: 'image-file', path: `media/images/${i}.png` } }, { loss: 1 / (i + 1), 'system/cpu': NaN }));
      assert.deepEqual(await rd().logHistoryRows(id, HISTORY, 0, chunk), { applied: 3, nextOffset: 3 });
      const before = { counts: await counts(id), values: await allValues(id), run: await ctx.tracking.runs.get(id), loss: await ctx.tracking.history.get(id, 'loss'), offsets: await rd().streamOffsets(id) };

      assert.deepEqual(await rd().logHistoryRows(id, HISTORY, 0, chunk), { applied: 0, nextOffset: 3 });
      assert.deepEqual(await rd().logHistoryRows(id, HISTORY, 1, chunk.slice(1)), { applied: 0, nextOffset: 3 });
      assert.deepEqual(await counts(id), before.counts);
      assert.deepEqual(await allValues(id), before.values);
      assert.deepEqual(await ctx.tracking.runs.get(id), before.run);
      assert.deepEqual(await ctx.tracking.history.get(id, 'loss'), before.loss);
      assert.deepEqual(await rd().streamOffsets(id), before.offsets);

      // Lines 2..4, of which line 2 was applied already (sent again with other content, which is ignored).
      const overlap = [row(2, { tag: 'changed' }, { loss: 99 }), row(3, { tag: 'line 3' }, { loss: 0.2 }), row(4, { tag: 'line 4' }, { loss: 0.1 })];
      assert.deepEqual(await rd().logHistoryRows(id, HISTORY, 2, overlap), { applied: 2, nextOffset: 5 });
      const tags = (await rd().historyValues(id, { key: 'tag' })).items;
      assert.deepEqual(tags.map((t) => [t.line, t.value]), [[0, 'line 0'], [1, 'line 1'], [2, 'line 2'], [3, 'line 3'], [4, 'line 4']]);
      sameNumbers((await ctx.tracking.history.get(id, 'loss')).items.map((p) => p.value), [1, 1 / 2, 1 / 3, 0.2, 0.1], 'loss');
      const after = await counts(id);
      assert.equal(after.run_history_values, before.counts.run_history_values + 2);
      assert.equal(after.metrics, before.counts.metrics + 2);

      // A chunk past the end (a resumed run starts at the line count it was given) applies whole.
      assert.deepEqual(await rd().logHistoryRows(id, HISTORY, 10, [row(10, { tag: 'line 10' })]), { applied: 1, nextOffset: 11 });
      assert.deepEqual(await rd().logHistoryRows(id, HISTORY, 5, [row(5, { tag: 'late' })]), { applied: 0, nextOffset: 11 });
      assert.deepEqual((await rd().historyValues(id, { key: 'tag' })).items.map((t) => t.line), [0, 1, 2, 3, 4, 10]);
    });

    it('keeps an offset per stream, events beside history, and an empty chunk writes nothing', async () => {
      const id = await newRun(ctx, exp);
      assert.deepEqual(await rd().logHistoryRows(id, EVENTS, 0, []), { applied: 0, nextOffset: 0 });
      assert.deepEqual(await rd().streamOffsets(id), []);
      await rd().logHistoryRows(id, HISTORY, 0, [row(0, {}, { loss: 1 }), row(1, {}, { loss: 2 })]);
      const events = [0, 1, 2].map((i) => row(0, { 'system.gpu.0.name': 'A100' }, { 'system/cpu': 30 + i }, 5_000 + 15_000 * i));
      await rd().logHistoryRows(id, EVENTS, 0, events);
      await rd().logHistoryRows(id, EVENTS, 0, events);
      await rd().logConsoleLines(id, OUTPUT, 0, ['hello']);
      assert.deepEqual(await rd().streamOffsets(id), [{ stream: OUTPUT, nextOffset: 1 }, { stream: EVENTS, nextOffset: 3 }, { stream: HISTORY, nextOffset: 2 }]);
      assert.deepEqual((await rd().historyValues(id)).items.map((v) => [v.stream, v.line]), [[EVENTS, 0], [EVENTS, 1], [EVENTS, 2]]);
      sameNumbers((await ctx.tracking.history.get(id, 'system/cpu')).items.map((p) => p.value), [30, 31, 32], 'system/cpu');
      assert.deepEqual(await rd().logHistoryRows(id, EVENTS, 3, []), { applied: 0, nextOffset: 3 });
    });

    it('stores nothing of a chunk with one bad row', async () => {
      const id = await newRun(ctx, exp);
      await rd().logHistoryRows(id, HISTORY, 0, [row(0, { s: 'kept' }, { loss: 1 })]);
      const before = { counts: await counts(id), values: await allValues(id), run: await ctx.tracking.runs.get(id), offsets: await rd().streamOffsets(id) };
      let deep: JsonValue = 'x';
      for (let i = 0; i < LIMITS.jsonNesting + 1; i++) deep = { d: deep };
      const bad: Array<[HistoryRow, RegExp]> = [
        [row(1, { when: new Date() as any }), /Date/],
        [row(1, { u: undefined as any }), /undefined/],
        [row(1, { deep }), /deeper than/],
        [row(1, { ['k'.repeat(251)]: 'x' }), /maximum length/],
        [row(1, { 'nul\u0000key': 'x' }), /NUL/],
        [row(1, { '\ud800': 'x' }), /surrogate/],
        [row(1, { big: 'x'.repeat(LIMITS.historyValueBytes) }), /maximum size/],
        [row(1, {}, { '': 1 }), /Missing value/],
        [row(1, {}, { ['k'.repeat(251) + '@']: 1 }), /maximum length/],
        [row(1, { same: 'x' }, { same: 1 }), /more than once/],
        [{ ...row(1, { s: 'x' }), step: 1.5 }, /step/],
        [{ ...row(1, { s: 'x' }), timestamp: -1 }, /timestamp/],
      ];
      for (const [badRow, message] of bad) {
        const chunk = [row(1, { s: 'new' }, { loss: 2, fresh: 3 }), badRow, row(3, { s: 'newer' }, { loss: 4 })];
        await expectError(rd().logHistoryRows(id, HISTORY, 1, chunk), 'INVALID_ARGUMENT', message);
      }
      await expectError(rd().logHistoryRows(id, HISTORY, -1, [row(1, { s: 'x' })]), 'INVALID_ARGUMENT', /offset/);
      await expectError(rd().logHistoryRows(id, '', 0, [row(1, { s: 'x' })]), 'INVALID_ARGUMENT', /stream/);
      await expectError(rd().logHistoryRows('0123456789abcdef0123456789abcdef', HISTORY, 0, [row(1, { s: 'x' })]), 'NOT_FOUND');
      assert.deepEqual(await counts(id), before.counts);
      assert.deepEqual(await allValues(id), before.values);
      assert.deepEqual(await ctx.tracking.runs.get(id), before.run);
      assert.deepEqual(await rd().streamOffsets(id), before.offsets);
      assert.deepEqual((await ctx.tracking.history.get(id, 'fresh')).items, []);
    });

    it('applies a chunk sent twice at once exactly once, and a chunk with its longer resend at once line by line', async () => {
      const id = await newRun(ctx, exp);
      const chunk = Array.from({ length: 50 }, (_, i) => row(i, { s: `v${i}` }, { loss: i }));
      const results = await Promise.all([rd().logHistoryRows(id, HISTORY, 0, chunk), rd().logHistoryRows(id, HISTORY, 0, chunk)]);
      assert.deepEqual(results.map((r) => r.applied).sort((a, b) => a - b), [0, 50]);
      assert.equal((await allValues(id)).length, 50);
      assert.equal((await ctx.tracking.history.get(id, 'loss')).items.length, 50);
      assert.deepEqual(await rd().streamOffsets(id), [{ stream: HISTORY, nextOffset: 50 }]);

      // A chunk and a longer resend of it at once: every line once, whichever writer came first.
      const lines = Array.from({ length: 30 }, (_, i) => row(50 + i, { s: `w${i}` }, { loss: 50 + i }));
      const both = await Promise.all([rd().logHistoryRows(id, HISTORY, 50, lines.slice(0, 20)), rd().logHistoryRows(id, HISTORY, 50, lines)]);
      assert.equal(both[0].applied + both[1].applied, 30);
      assert.deepEqual((await rd().historyValues(id, { key: 's' })).items.map((v) => v.line), Array.from({ length: 80 }, (_, i) => i));
      assert.equal((await ctx.tracking.history.get(id, 'loss')).items.length, 80);
      assert.deepEqual(await rd().streamOffsets(id), [{ stream: HISTORY, nextOffset: 80 }]);
    });

    it('keeps console lines by number: a line sent again overwrites, the offset only grows', async () => {
      const id = await newRun(ctx, exp);
      assert.deepEqual(await rd().logConsoleLines(id, OUTPUT, 0, ['2026-11-27T00:01:17.382703 hello', 'ERROR 2026-11-27T00:01:17.383655 oops', ' 10%|#']), { applied: 3, nextOffset: 3 });
      // A progress bar redrawn in place: line 2 again, then a new line 3.
      assert.deepEqual(await rd().logConsoleLines(id, OUTPUT, 2, [' 50%|#####', 'done ✓ 😀']), { applied: 2, nextOffset: 4 });
      assert.deepEqual(await rd().logConsoleLines(id, OUTPUT, 2, ['100%|##########']), { applied: 1, nextOffset: 4 });
      const lines = await rd().consoleLines(id, OUTPUT);
      assert.deepEqual(lines, [
        { line: 0, text: '2026-11-27T00:01:17.382703 hello' }, { line: 1, text: 'ERROR 2026-11-27T00:01:17.383655 oops' },
        { line: 2, text: '100%|##########' }, { line: 3, text: 'done ✓ 😀' },
      ]);
      assert.deepEqual(await rd().consoleLines(id, OUTPUT, 2, 1), [lines[2]]);
      const long = 'ф'.repeat(100_000);
      await rd().logConsoleLines(id, OUTPUT, 4, [long]);
      assert.equal((await rd().consoleLines(id, OUTPUT, 4))[0].text, long);
      const before = await counts(id);
      await expectError(rd().logConsoleLines(id, OUTPUT, 5, ['fine', 'nul \u0000']), 'INVALID_ARGUMENT', /NUL/);
      await expectError(rd().logConsoleLines(id, OUTPUT, 5, ['x'.repeat(LIMITS.consoleLineBytes + 1)]), 'INVALID_ARGUMENT', /maximum size/);
      assert.deepEqual(await counts(id), before);
      assert.deepEqual(await rd().streamOffsets(id), [{ stream: OUTPUT, nextOffset: 5 }]);
      assert.deepEqual(await rd().consoleLines(id, 'other.log'), []);
      // Reads refuse names no store holds rather than hand them to the database.
      await expectError(rd().consoleLines(id, 'out\u0000.log'), 'INVALID_ARGUMENT', /NUL/);
      await expectError(rd().historyValues(id, { key: 'k\u0000' }), 'INVALID_ARGUMENT', /NUL/);
      await expectError(rd().consoleLines(id, OUTPUT, 0, 0), 'INVALID_ARGUMENT', /max_results/);
    });

    it('leaves MLflow reads of a run as they were: W&B documents, console and non-numeric values add nothing', async () => {
      const id = await newRun(ctx, exp, { tags: [{ key: 'team', value: 'a' }] });
      await ctx.tracking.runs.logBatch(id, { metrics: [point('acc', 0.5, 1, 10)], params: [{ key: 'lr', value: '0.01' }], tags: [{ key: 'note', value: 'n' }] });
      const mlflow = async () => ({
        run: await ctx.tracking.runs.get(id),
        search: await ctx.tracking.runs.search({ experimentIds: [exp], filter: `attributes.run_id = '${id}'`, viewType: 'ALL' }),
        byMetric: await ctx.tracking.runs.search({ experimentIds: [exp], filter: 'metrics.acc > 0.1', orderBy: ['metrics.acc DESC'], viewType: 'ALL' }),
        acc: await ctx.tracking.history.get(id, 'acc'),
        bulk: await ctx.tracking.history.bulk([id], 'acc'),
        sampled: await ctx.tracking.history.sampled([id], 'acc', {}),
      });
      const before = await mlflow();
      await rd().setConfig(id, richConfig());
      await rd().setSummary(id, { acc: 0.9, best: { max: 1 } });
      await rd().logHistoryRows(id, HISTORY, 0, [row(0, everyKind()), row(1, { caption: 'again' })]);
      await rd().logConsoleLines(id, OUTPUT, 0, ['line']);
      assert.deepEqual(await mlflow(), before);

      // Numeric history values join the run's metrics like any logged through MLflow.
      await rd().logHistoryRows(id, HISTORY, 2, [row(2, { caption: 'x' }, { acc: 0.75, loss: Infinity }, 20)]);
      const other = await newRun(ctx, exp);
      await logMetrics(ctx, other, [point('acc', 0.5, 1, 10), point('acc', 0.75, 2, 20), point('loss', Infinity, 2, 20)]);
      const [a, b] = [await ctx.tracking.runs.get(id), await ctx.tracking.runs.get(other)];
      assert.deepEqual(a.metrics, b.metrics);
      assert.deepEqual((await ctx.tracking.history.get(id, 'acc')).items, (await ctx.tracking.history.get(other, 'acc')).items);
      assert.deepEqual((await ctx.tracking.history.get(id, 'loss')).items, (await ctx.tracking.history.get(other, 'loss')).items);
      for (const key of Object.keys(everyKind())) assert.deepEqual((await ctx.tracking.history.get(id, key)).items, [], key);
    });
  });
}
