/**
 * What `wandb.Api()` reads, answered over every run in the store: `Runs` and `Run` (filtered,
 * ordered, paged), the history operations (full, sampled, paged by step, keys, parquet live
 * data, events) and `RunFiles`, for runs logged the W&B way (config, summary, history values)
 * and the MLflow way (params and metric points, several per step), on every database, through
 * the server's HTTP app with a real API key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';

import type { HistoryRow } from '../src/core/model';
import { sampledRanks } from '../src/core/history-rows';
import { eventsRowOf, historyRowOf } from '../src/protocols/wandb/mapping-history';
import type { JsonValue } from '../src/core/json-value';
import supertest from 'supertest';
import { buildApp } from '../src/server';
import { createDatabase, FAST, openTracking, selectedDialects, type OpenTracking, type TestDatabase } from './support/databases';

const RUNS = `query Runs($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50, $order: String, $filters: JSONString) {
  project(name: $project, entityName: $entity) {
    internalId runCount(filters: $filters) readOnly
    runs(filters: $filters, after: $cursor, first: $perPage, order: $order) {
      edges { node { projectId id name displayName } cursor }
      pageInfo { endCursor hasNextPage }
    }
  }
}`;
const RUN = 'query Run($project: String!, $entity: String!, $name: String!) { project(name: $project, entityName: $entity) { run(name: $name) { projectId id name displayName historyKeys } } }';
const FULL = (node: string) => `query RunFullHistory($project: String!, $entity: String!, $name: String!, $samples: Int) { project(name: $project, entityName: $entity) { run(name: $name) { ${node}(samples: $samples) } } }`;
const SAMPLED = 'query RunSampledHistory($project: String!, $entity: String!, $name: String!, $specs: [JSONString!]!) { project(name: $project, entityName: $entity) { run(name: $name) { sampledHistory(specs: $specs) } } }';
const KEYS = 'query RunHistoryKeys($project: String!, $entity: String!, $name: String!) { project(name: $project, entityName: $entity) { run(name: $name) { historyKeys } } }';
const PARQUET = 'query RunParquetHistory ($entity: String!, $project: String!, $runName: String!, $liveKeys: [String!]!) { project(name: $project, entityName: $entity) { run(name: $runName) { parquetHistory(liveKeys: $liveKeys) { parquetUrls liveData } } } }';
const PAGE = 'query HistoryPage ($entity: String!, $project: String!, $run: String!, $minStep: Int64!, $maxStep: Int64!, $pageSize: Int!) { project(name: $project, entityName: $entity) { run(name: $run) { history(minStep: $minStep, maxStep: $maxStep, samples: $pageSize) } } }';
const SAMPLED_PAGE = 'query SampledHistoryPage ($entity: String!, $project: String!, $run: String!, $spec: JSONString!) { project(name: $project, entityName: $entity) { run(name: $run) { sampledHistory(specs: [$spec]) } } }';
const TAIL = 'query RunConsoleLogTail ($entity: String!, $project: String!, $runName: String!, $last: Int!) { project(name: $project, entityName: $entity) { run(name: $runName) { logLines(last: $last) { edges { node { number timestamp level label line } } } } } }';
const LOG_PAGE = 'query RunConsoleLogPage ($entity: String!, $project: String!, $runName: String!, $first: Int, $after: String) { project(name: $project, entityName: $entity) { run(name: $runName) { logLines(first: $first, after: $after, useImprovedPagination: true) { edges { node { number timestamp level line } } pageInfo { endCursor hasNextPage } } } } }';
const FILES = `query RunFiles($project: String!, $entity: String!, $name: String!, $fileCursor: String, $fileLimit: Int = 50, $fileNames: [String] = [], $upload: Boolean = false, $pattern: String) {
  project(name: $project, entityName: $entity) { internalId run(name: $name) { fileCount
    files(names: $fileNames, after: $fileCursor, first: $fileLimit, pattern: $pattern) { edges { node { id name url(upload: $upload) directUrl sizeBytes mimetype updatedAt md5 } cursor } pageInfo { endCursor hasNextPage } } } }
}`;

const row = (step: number, metrics: Record<string, number>, values: Record<string, JsonValue> = {}, timestamp = 1_796_112_580_000 + step * 100): HistoryRow => ({
  step, timestamp,
  metrics: Object.entries(metrics).map(([key, value]) => ({ key, value })),
  values: Object.entries(values).map(([key, value]) => ({ key, value })),
});

describe('history sampling', () => {
  it('keeps min(n, k) rows spread evenly, the first and the last among them', () => {
    for (let n = 0; n <= 80; n++) {
      for (let k = 1; k <= 25; k++) {
        const keep = sampledRanks(n, k);
        const kept = Array.from({ length: n }, (_, r) => r).filter(keep);
        assert.equal(kept.length, Math.min(n, k), `n=${n} k=${k}`);
        if (n > 0) assert.equal(kept[kept.length - 1], n - 1);
        if (n > 0 && k > 1) assert.equal(kept[0], 0);
      }
    }
  });
});

for (const dialect of selectedDialects()) {
  describe(`wandb.Api() reads (${dialect})`, () => {
    let db: TestDatabase;
    let t: OpenTracking;
    let api: supertest.Agent;
    let auth: string;
    let wb: string, ml: string, other: string;

    const gql = async (query: string, variables: Record<string, unknown>) => {
      const name = /^\s*query\s+(\w+)/.exec(query)![1];
      const res = await api.post('/graphql').set('Authorization', auth).send({ query, variables, operationName: name });
      assert.ok(res.status === 200, `HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      return res.body;
    };
    const ok = async (query: string, variables: Record<string, unknown>) => {
      const body = await gql(query, variables);
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return body.data;
    };
    const runVars = (name: string, extra: Record<string, unknown> = {}) => ({ entity: 'alice', project: 'proj1', name, ...extra });

    before(async () => {
      db = await createDatabase(dialect);
      t = await openTracking(db.url, FAST);
      const { tracking } = t;
      // The first user is the default entity: projects of alice are experiments named as the project.
      const { key } = await tracking.accounts.createKey('alice');
      auth = `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;
      api = supertest.agent(buildApp(tracking, { publicUrl: 'http://tb.test' }));

      const proj = await tracking.experiments.create('proj1', undefined, []);
      const elsewhere = await tracking.experiments.create('bob/proj2', undefined, []);
      // A W&B-logged run: history rows with numbers, media, strings and big integers; system samples; config and summary.
      wb = (await tracking.runs.create({ experimentId: proj, runName: 'wandb-run', startTime: 1000, tags: [{ key: 'wandb.group', value: 'g1' }] })).info.runId;
      await tracking.runData.logHistoryRows(wb, 'wandb-history.jsonl', 0, [
        row(0, { loss: 1, acc: 0, _runtime: 0.3 }, { caption: 'first', 'nested.deep': [1, 'two'] }),
        row(1, { loss: 0.5, acc: 0.1, _runtime: 0.4 }, { img: { _type: 'image-file', path: 'media/images/a.png', sha256: 'x' } }),
        row(2, { loss: 0.25, acc: 0.2, _runtime: 0.5 }, { big: 2n ** 62n }),
        row(3, { loss: NaN, acc: 0.3, _runtime: 0.6 }),
        row(4, { loss: 0.125, acc: 0.4, _runtime: 0.7 }, { flag: true }),
      ]);
      await tracking.runData.logHistoryRows(wb, 'wandb-events.jsonl', 0, [row(0, { 'system/cpu': 12.5 }), row(1, { 'system/cpu': 13.5, 'system/gpu.0.temp': 40 })]);
      await tracking.runData.setConfig(wb, { lr: { value: 0.01 } });
      await tracking.runData.setSummary(wb, { loss: 0.125 });
      // An MLflow-logged run: points at uneven steps, two of one key at one step (the later one by time counts).
      ml = (await tracking.runs.create({ experimentId: proj, runName: 'mlflow-run', startTime: 2000, tags: [] })).info.runId;
      await tracking.runs.logBatch(ml, {
        params: [{ key: 'lr', value: '0.1' }],
        metrics: [
          { key: 'loss', value: 9, step: 10, timestamp: 5000 }, { key: 'loss', value: 8, step: 10, timestamp: 4000 },
          { key: 'acc', value: 0.5, step: 10, timestamp: 4500 }, { key: 'loss', value: 7, step: 20, timestamp: 6000 },
          { key: 'system/cpu', value: 50, step: 0, timestamp: 4000 },
        ],
        tags: [],
      });
      other = (await tracking.runs.create({ experimentId: elsewhere, runName: 'bobs', startTime: 3000, tags: [] })).info.runId;
      await tracking.runData.logConsoleLines(wb, 'output.log', 0, ['2026-12-01T18:26:23.265572 line 0', 'ERROR 2026-12-01T18:26:24.5 oops', 'no time here']);
      const root = await tracking.artifacts.ofRun(wb);
      for (const [path, text] of [['output.log', 'hello\n'], ['config.yaml', 'lr: 0.01\n'], ['media/images/a.png', 'PNG'], ['wandb-summary.json', '{}']]) {
        await tracking.artifacts.write(root, path, Readable.from([Buffer.from(text)]));
      }
    });
    after(async () => { await t?.store.close(); await db?.drop(); });

    it('lists every run of a project, W&B- and MLflow-logged, filtered, ordered and paged by cursor', async () => {
      const all = await ok(RUNS, { entity: 'alice', project: 'proj1' });
      assert.equal(all.project.runCount, 2);
      assert.deepEqual(all.project.runs.edges.map((e: any) => e.node.displayName), ['wandb-run', 'mlflow-run']);
      assert.equal(all.project.runs.pageInfo.hasNextPage, false);
      const filtered = await ok(RUNS, { entity: 'alice', project: 'proj1', filters: JSON.stringify({ 'config.lr.value': { $gte: 0.05 } }) });
      assert.deepEqual(filtered.project.runs.edges.map((e: any) => e.node.name), [ml]);
      assert.equal(filtered.project.runCount, 1);
      const first = await ok(RUNS, { entity: 'alice', project: 'proj1', perPage: 1, order: '-created_at' });
      assert.deepEqual(first.project.runs.edges.map((e: any) => e.node.name), [ml]);
      assert.equal(first.project.runs.pageInfo.hasNextPage, true);
      const second = await ok(RUNS, { entity: 'alice', project: 'proj1', perPage: 1, order: '-created_at', cursor: first.project.runs.pageInfo.endCursor });
      assert.deepEqual(second.project.runs.edges.map((e: any) => e.node.name), [wb]);
      assert.equal(second.project.runs.pageInfo.hasNextPage, false);
      const bobs = await ok(RUNS, { entity: 'bob', project: 'proj2' });
      assert.deepEqual(bobs.project.runs.edges.map((e: any) => e.node.name), [other]);
    });

    it('refuses a bad filter, page size or cursor as a GraphQL error, never a server error', async () => {
      for (const [vars, message] of [
        [{ filters: '{"$where": "1"}' }, /operator '\$where' is not served/],
        [{ filters: '{"config.a": {"$regex": "a+"}}' }, /no exact LIKE form/],
        [{ perPage: 100_000 }, /between 1 and 1000/],
        [{ cursor: 'bm9wZQ==' }, /Invalid runs cursor/],
        [{ order: 'heartbeat_at' }, /Invalid run order/],
      ] as const) {
        const body = await gql(RUNS, { entity: 'alice', project: 'proj1', ...vars });
        assert.match(body.errors?.[0]?.message ?? '', message);
      }
    });

    it('reads one run by id; a run of another project is null', async () => {
      const found = await ok(RUN, runVars(wb));
      assert.equal(found.project.run.name, wb);
      assert.equal(found.project.run.historyKeys.lastStep, 4);
      assert.equal((await ok(RUN, runVars(other))).project.run, null);
      assert.equal((await ok(RUN, runVars('nope'))).project.run, null);
    });

    it('answers the full history as JSON lines: a row per step, every key, _step and _timestamp in seconds, values exactly', async () => {
      const lines: string[] = (await ok(FULL('history'), runVars(wb, { samples: 500 }))).project.run.history;
      assert.equal(lines.length, 5);
      const first = JSON.parse(lines[0]);
      assert.deepEqual(first, { _step: 0, loss: 1, acc: 0, _runtime: 0.3, caption: 'first', 'nested.deep': [1, 'two'], _timestamp: 1_796_112_580 });
      assert.deepEqual(JSON.parse(lines[1]).img, { _type: 'image-file', path: 'media/images/a.png', sha256: 'x' });
      assert.match(lines[2], /"big":4611686018427387904/);
      assert.match(lines[3], /"loss":NaN/);
      assert.equal(JSON.parse(lines[4]).flag, true);
      // Sampling keeps the first and the last row.
      const two: string[] = (await ok(FULL('history'), runVars(wb, { samples: 2 }))).project.run.history;
      assert.deepEqual(two.map((l) => JSON.parse(l.replace('NaN', 'null'))._step), [0, 4]);
      const three: string[] = (await ok(FULL('history'), runVars(wb, { samples: 3 }))).project.run.history;
      assert.deepEqual(three.map((l) => JSON.parse(l.replace('NaN', 'null'))._step), [0, 2, 4]);
    });

    it('returns history keys MLflow refuses and user keys under system/ in history, not in events', async () => {
      const exp = await t.tracking.experiments.create('odd-keys', undefined, []);
      const id = (await t.tracking.runs.create({ experimentId: exp, runName: 'odd', startTime: 1000, tags: [] })).info.runId;
      const now = 1_796_112_580_000;
      await t.tracking.runData.logHistoryRows(id, 'wandb-history.jsonl', 0,
        [0, 1].map((i) => historyRowOf(JSON.stringify({ _step: i, 'acc@1': i / 2, 'top-1 (%)': 90 + i, 'system/x': i, y: i, _timestamp: 1_796_112_580 }), i, now)));
      await t.tracking.runData.logHistoryRows(id, 'wandb-events.jsonl', 0, [eventsRowOf(JSON.stringify({ 'system.cpu': 5, _timestamp: 1_796_112_581 }), 0, now)]);
      const vars = { entity: 'alice', project: 'odd-keys', name: id };
      const lines: string[] = (await ok(FULL('history'), { ...vars, samples: 10 })).project.run.history;
      assert.deepEqual(lines.map((l) => JSON.parse(l)), [0, 1].map((i) => ({ _step: i, y: i, 'acc@1': i / 2, 'top-1 (%)': 90 + i, 'system/x': i, _timestamp: 1_796_112_580 })));
      const events: string[] = (await ok(FULL('events'), vars)).project.run.events;
      assert.deepEqual(events.map((l) => JSON.parse(l)), [{ _wandb: true, 'system.cpu': 5, _timestamp: 1_796_112_581 }]);
    });

    it('reads an MLflow run with a param and a metric named __proto__', async () => {
      const exp = await t.tracking.experiments.create('protos', undefined, []);
      const id = (await t.tracking.runs.create({ experimentId: exp, runName: 'p', startTime: 1000, tags: [] })).info.runId;
      await t.tracking.runs.logBatch(id, { params: [{ key: '__proto__', value: 'x' }], metrics: [{ key: '__proto__', value: 1, step: 0, timestamp: 1 }], tags: [] });
      const q = 'query Run($project: String!, $entity: String!, $name: String!) { project(name: $project, entityName: $entity) { run(name: $name) { config summaryMetrics } } }';
      const run = (await ok(q, { entity: 'alice', project: 'protos', name: id })).project.run;
      assert.equal(run.config, '{"__proto__":{"value":"x"}}');
      assert.equal(run.summaryMetrics, '{"__proto__":1}');
    });

    it('opens an experiment literally named <default entity>/<p> as project p, unless an experiment p exists', async () => {
      const lit = await t.tracking.experiments.create('alice/literal', undefined, []);
      const id = (await t.tracking.runs.create({ experimentId: lit, runName: 'l', startTime: 1000, tags: [] })).info.runId;
      assert.equal((await ok(RUN, { entity: 'alice', project: 'literal', name: id })).project.run.name, id);
      const listed = await ok(RUNS, { entity: 'alice', project: 'literal' });
      assert.deepEqual(listed.project.runs.edges.map((e: any) => e.node.name), [id]);
      // Both names: the plain one is the project (where W&B writes of alice/both go).
      const plain = await t.tracking.experiments.create('both', undefined, []);
      await t.tracking.experiments.create('alice/both', undefined, []);
      const p = (await t.tracking.runs.create({ experimentId: plain, runName: 'b', startTime: 1000, tags: [] })).info.runId;
      assert.deepEqual((await ok(RUNS, { entity: 'alice', project: 'both' })).project.runs.edges.map((e: any) => e.node.name), [p]);
    });

    it('rebuilds rows of an MLflow run from its points, the latest by time at each step', async () => {
      const lines: string[] = (await ok(FULL('history'), { entity: 'alice', project: 'proj1', name: ml, samples: 10 })).project.run.history;
      assert.deepEqual(lines.map((l) => JSON.parse(l)), [
        { _step: 10, acc: 0.5, loss: 9, _timestamp: 5 },
        { _step: 20, loss: 7, _timestamp: 6 },
      ].map((r) => ({ ...r, ...(r._step === 10 ? { loss: 9, acc: 0.5 } : {}) })));
      const events: string[] = (await ok(FULL('events'), { entity: 'alice', project: 'proj1', name: ml })).project.run.events;
      assert.deepEqual(events.map((l) => JSON.parse(l)), [{ _wandb: true, 'system.cpu': 50, _timestamp: 4 }]);
    });

    it('answers system samples as events lines', async () => {
      const events: string[] = (await ok(FULL('events'), runVars(wb))).project.run.events;
      assert.deepEqual(events.map((l) => JSON.parse(l)), [
        { _wandb: true, 'system.cpu': 12.5, _timestamp: 1_796_112_580 },
        { _wandb: true, 'system.cpu': 13.5, 'system.gpu.0.temp': 40, _timestamp: 1_796_112_580.1 },
      ]);
    });

    it('answers sampledHistory with the keys asked for, in rows having all of them', async () => {
      const specs = [JSON.stringify({ keys: ['_step', '_step', 'loss'], samples: 10 }), JSON.stringify({ keys: ['_step', 'caption', 'acc'], samples: 10 })];
      const [loss, caption] = (await ok(SAMPLED, runVars(wb, { specs }))).project.run.sampledHistory;
      assert.deepEqual(loss, [{ _step: 0, loss: 1 }, { _step: 1, loss: 0.5 }, { _step: 2, loss: 0.25 }, { _step: 3, loss: null }, { _step: 4, loss: 0.125 }]);
      assert.deepEqual(caption, [{ _step: 0, acc: 0, caption: 'first' }]);
      const bad = await gql(SAMPLED, runVars(wb, { specs: ['{"keys": 3}'] }));
      assert.match(bad.errors[0].message, /keys must be a list/);
    });

    it('answers historyKeys with counts and the last step, and scan_history\'s parquet and page reads', async () => {
      const keys = (await ok(KEYS, runVars(wb))).project.run.historyKeys;
      assert.equal(keys.lastStep, 4);
      assert.deepEqual(keys.keys._step, { typeCounts: [{ type: 'number', count: 5 }] });
      assert.deepEqual(keys.keys.loss, { typeCounts: [{ type: 'number', count: 5 }] });
      assert.deepEqual(keys.keys.caption, { typeCounts: [{ type: 'string', count: 1 }] });
      assert.equal(keys.keys['system/cpu'], undefined);
      const parquet = (await ok(PARQUET, { entity: 'alice', project: 'proj1', runName: wb, liveKeys: ['_step'] })).project.run.parquetHistory;
      assert.deepEqual(parquet.parquetUrls, []);
      assert.deepEqual(parquet.liveData.map((r: any) => r._step), [0, 1, 2, 3, 4]);
      const page: string[] = (await ok(PAGE, { entity: 'alice', project: 'proj1', run: wb, minStep: 1, maxStep: 3, pageSize: 1000 })).project.run.history;
      assert.deepEqual(page.map((l) => JSON.parse(l)._step), [1, 2]);
      const small: string[] = (await ok(PAGE, { entity: 'alice', project: 'proj1', run: wb, minStep: 0, maxStep: 5, pageSize: 2 })).project.run.history;
      assert.deepEqual(small.map((l) => JSON.parse(l)._step), [0, 1]);
      const empty = (await ok(KEYS, { entity: 'alice', project: 'proj2', name: other }));
      assert.equal(empty.project, null);
      const huge = await gql(PAGE, { entity: 'alice', project: 'proj1', run: wb, minStep: 0, maxStep: 5, pageSize: 10_000_000 });
      assert.match(huge.errors[0].message, /1 to 10000 rows/);
    });

    it('answers scan_history(keys=…) pages: a step range of rows having every key', async () => {
      const spec = JSON.stringify({ keys: ['_step', 'loss', 'caption'], minStep: 0, maxStep: 5, samples: 1000 });
      const [rows] = (await ok(SAMPLED_PAGE, { entity: 'alice', project: 'proj1', run: wb, spec })).project.run.sampledHistory;
      assert.deepEqual(rows, [{ _step: 0, loss: 1, caption: 'first' }]);
      // maxStep is inclusive here, as wandb-core pages ([0, 4999], [5000, 9999], …).
      const range = JSON.stringify({ keys: ['_step', 'acc'], minStep: 2, maxStep: 3, samples: 1000 });
      const [acc] = (await ok(SAMPLED_PAGE, { entity: 'alice', project: 'proj1', run: wb, spec: range })).project.run.sampledHistory;
      assert.deepEqual(acc, [{ _step: 2, acc: 0.2 }, { _step: 3, acc: 0.3 }]);
    });

    it('answers console logs, the tail and pages, with time and level read off each line', async () => {
      const tail = (await ok(TAIL, { entity: 'alice', project: 'proj1', runName: wb, last: 2 })).project.run.logLines.edges.map((e: any) => e.node);
      assert.deepEqual(tail, [
        { number: 1, timestamp: '2026-12-01T18:26:24.5Z', level: 'ERROR', label: null, line: 'oops' },
        { number: 2, timestamp: null, level: 'INFO', label: null, line: 'no time here' },
      ]);
      const p1 = (await ok(LOG_PAGE, { entity: 'alice', project: 'proj1', runName: wb, first: 2 })).project.run.logLines;
      assert.deepEqual(p1.edges.map((e: any) => e.node.line), ['line 0', 'oops']);
      assert.equal(p1.pageInfo.hasNextPage, true);
      const p2 = (await ok(LOG_PAGE, { entity: 'alice', project: 'proj1', runName: wb, first: 2, after: p1.pageInfo.endCursor })).project.run.logLines;
      assert.deepEqual(p2.edges.map((e: any) => e.node.line), ['no time here']);
      assert.equal(p2.pageInfo.hasNextPage, false);
      const bad = await gql(LOG_PAGE, { entity: 'alice', project: 'proj1', runName: wb, first: 1e9 });
      assert.match(bad.errors[0].message, /between 1 and/);
    });

    it('lists the run\'s files with signed download URLs, by name, by LIKE pattern and by page', async () => {
      const all = (await ok(FILES, runVars(wb))).project.run;
      assert.equal(all.fileCount, 4);
      assert.deepEqual(all.files.edges.map((e: any) => e.node.name), ['config.yaml', 'media/images/a.png', 'output.log', 'wandb-summary.json']);
      const log = all.files.edges[2].node;
      assert.equal(log.sizeBytes, 6);
      assert.equal(log.mimetype, 'text/plain');
      const token = /^http:\/\/tb\.test\/storage\/([A-Za-z0-9_.-]+)$/.exec(log.url)?.[1];
      assert.ok(token, log.url);
      assert.deepEqual(await t.tracking.capabilities.verify(token), { purpose: 'run-file-get', claims: { r: wb, f: 'output.log' } });
      assert.equal(log.md5, null);
      const json = (await ok(FILES, runVars(wb, { pattern: '%.JSON' }))).project.run.files.edges.map((e: any) => e.node.name);
      assert.deepEqual(json, ['wandb-summary.json']);
      const named = (await ok(FILES, runVars(wb, { fileNames: ['output.log', 'missing'] }))).project.run.files.edges.map((e: any) => e.node.name);
      assert.deepEqual(named, ['output.log']);
      const p1 = (await ok(FILES, runVars(wb, { fileLimit: 3 }))).project.run.files;
      assert.equal(p1.pageInfo.hasNextPage, true);
      const p2 = (await ok(FILES, runVars(wb, { fileLimit: 3, fileCursor: p1.pageInfo.endCursor }))).project.run.files;
      assert.deepEqual(p2.edges.map((e: any) => e.node.name), ['wandb-summary.json']);
      assert.equal(p2.pageInfo.hasNextPage, false);
      const mlFiles = (await ok(FILES, { entity: 'alice', project: 'proj1', name: ml })).project.run;
      assert.equal(mlFiles.fileCount, 0);
    });
  });
}
