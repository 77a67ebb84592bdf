/**
 * The contracts between the .proto and the handlers: every route has exactly one handler, keyed
 * '<package.Service>/<method>', or the server does not start; and in strict mode (the one every
 * route suite runs in) an answer holding a key its message does not define fails the request,
 * at any depth, where production drops the key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import supertest from 'supertest';

import { MLFLOW_HANDLERS, mlflowRouter } from '../../src/protocols/mlflow/router';
import { handlersOf, type HandlerGroup, type MlflowHandlers } from '../../src/protocols/mlflow/context';
import { handlerTable } from '../../src/protocols/mlflow/handler-table';
import { StreamedMessage } from '../../src/protocols/mlflow/streaming';
import type { Metric } from '../../src/protocols/mlflow/messages';
import { TrackbridgeError } from '../../src/core/errors';
import { assertError, type RouteCtx } from './context';

/** MLFLOW_HANDLERS with the named methods taken out of their modules. */
function without(...methods: string[]): HandlerGroup[] {
  return MLFLOW_HANDLERS.map((g) => ({
    service: g.service,
    handlers: Object.fromEntries(Object.entries(g.handlers).filter(([name]) => !methods.includes(name))),
  }));
}

/** MLFLOW_HANDLERS with some methods answered by the given handlers instead. */
function replacing(handlers: Partial<MlflowHandlers>): HandlerGroup[] {
  return [...without(...Object.keys(handlers)), handlersOf('mlflow.MlflowService', handlers)];
}

const refusal = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof TrackbridgeError, `expected a TrackbridgeError, got ${String(e)}`);
  assert.equal(e.code, 'INTERNAL');
  assert.match(e.message, pattern);
  return true;
};

async function* chunksOf(...chunks: Metric[][]): AsyncGenerator<Metric[]> {
  for (const c of chunks) yield c;
}

export function contractTests(ctx: RouteCtx): void {
  describe('handler registration', () => {
    it('refuses to start when two handlers claim one method', () => {
      const twice = [...MLFLOW_HANDLERS, handlersOf('mlflow.MlflowService', { async getRun() { return {}; } })];
      assert.throws(() => mlflowRouter({ tracking: ctx.tracking }, { handlers: twice }), refusal(/two handlers are registered for mlflow\.MlflowService\/getRun/));
    });

    it('refuses to start when a route has no handler', () => {
      assert.throws(() => mlflowRouter({ tracking: ctx.tracking }, { handlers: without('searchRuns') }), refusal(/no handler is registered for mlflow\.MlflowService\/searchRuns/));
    });

    it('refuses to start when a handler serves no route', () => {
      // @ts-expect-error: the service has no method searchRunz, which the compiler says first.
      const stray = handlersOf('mlflow.MlflowService', { async searchRunz() { return {}; } });
      assert.throws(() => mlflowRouter({ tracking: ctx.tracking }, { handlers: [...MLFLOW_HANDLERS, stray] }), refusal(/methods no route serves: mlflow\.MlflowService\/searchRunz/));
    });

    it('keeps one method name of two services apart', () => {
      const a = { service: 'a.Files', handlers: { listArtifacts: async () => ({ root_uri: 'a' }) } } as unknown as HandlerGroup;
      const b = { service: 'b.Files', handlers: { listArtifacts: async () => ({ root_uri: 'b' }) } } as unknown as HandlerGroup;
      const table = handlerTable([a, b]);
      assert.deepEqual([...table.keys()], ['a.Files/listArtifacts', 'b.Files/listArtifacts']);
      assert.notEqual(table.get('a.Files/listArtifacts'), table.get('b.Files/listArtifacts'));
    });

    it('starts with the registered handlers, one for every route', () => {
      assert.doesNotThrow(() => mlflowRouter({ tracking: ctx.tracking }));
    });
  });

  describe('response keys', () => {
    const servers: http.Server[] = [];
    const appWith = async (strictResponses: boolean) => {
      const app = express();
      app.use(mlflowRouter({ tracking: ctx.tracking }, {
        strictResponses,
        handlers: replacing({
          // The compiler lets these keys through: without a declared return type (the handler
          // modules declare theirs) an inferred type gets no excess-key check. Strict mode does.
          async getExperiment(m) {
            return { experiment: { experiment_id: m.experiment_id, name: 'e' }, experiment_name: 'e' };
          },
          async getExperimentByName() {
            return { experiment: { experiment_id: '1', name: 'e', tags: [{ key: 'k', value: 'v' }], colour: 'red' } };
          },
          async searchRuns() {
            return { runs: [{ info: { run_id: 'r0' } }, { info: { run_id: 'r1', run_colour: 'red' } }] };
          },
          async getMetricHistory() {
            const point = { key: 'm', value: 1, timestamp: 1, step: 0 };
            const stray: Metric = { ...point, ...{ unit: 's' } };
            return new StreamedMessage<{ metrics?: Metric[]; next_page_token?: string }, 'metrics'>('metrics', chunksOf([point, stray], [point]), () => ({}));
          },
        }),
      }));
      const server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
      servers.push(server);
      return supertest(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    };
    let strict: ReturnType<typeof supertest>;
    let lenient: ReturnType<typeof supertest>;
    // What the server logs for each refused answer, kept out of the test output and checked instead.
    const logged: string[] = [];
    const consoleError = console.error;
    before(async () => {
      strict = await appWith(true);
      lenient = await appWith(false);
      console.error = (...args: unknown[]) => {
        const line = args.map(String).join(' ');
        if (line.startsWith('trackbridge: unexpected error:')) logged.push(line);
        else consoleError(...args);
      };
    });
    after(async () => {
      console.error = consoleError;
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    });

    it('fails an answer with a key its message does not define, naming both', async () => {
      const res = await strict.get('/api/2.0/mlflow/experiments/get').query({ experiment_id: '1' });
      assertError(res, 500, 'INTERNAL_ERROR', /^response message mlflow\.GetExperiment\.Response has no field 'experiment_name'$/);
      assert.ok(logged.some((l) => l.includes("GetExperiment.Response has no field 'experiment_name'")), 'the server logs the refused answer');
    });

    it('looks inside nested messages and lists', async () => {
      assertError(await strict.get('/api/2.0/mlflow/experiments/get-by-name').query({ experiment_name: 'e' }), 500, 'INTERNAL_ERROR',
        /mlflow\.Experiment has no field 'colour'/);
      assertError(await strict.post('/api/2.0/mlflow/runs/search').send({}), 500, 'INTERNAL_ERROR', /mlflow\.RunInfo has no field 'run_colour'/);
    });

    it('looks inside streamed items', async () => {
      assertError(await strict.get('/api/2.0/mlflow/metrics/get-history').query({ run_id: 'r', metric_key: 'm' }), 500, 'INTERNAL_ERROR',
        /mlflow\.Metric has no field 'unit'/);
    });

    it('drops such keys without strict mode, as production answers', async () => {
      const got = await lenient.get('/api/2.0/mlflow/experiments/get').query({ experiment_id: '1' });
      assert.equal(got.status, 200, got.text);
      assert.equal(got.text, '{"experiment":{"experiment_id":"1","name":"e"}}');
      const byName = await lenient.get('/api/2.0/mlflow/experiments/get-by-name').query({ experiment_name: 'e' });
      assert.equal(byName.text, '{"experiment":{"experiment_id":"1","name":"e","tags":[{"key":"k","value":"v"}]}}');
      const runs = await lenient.post('/api/2.0/mlflow/runs/search').send({});
      assert.equal(runs.text, '{"runs":[{"info":{"run_id":"r0"}},{"info":{"run_id":"r1"}}]}');
      const history = await lenient.get('/api/2.0/mlflow/metrics/get-history').query({ run_id: 'r', metric_key: 'm' });
      assert.equal(history.text, '{"metrics":[{"key":"m","value":1,"timestamp":1,"step":0},{"key":"m","value":1,"timestamp":1,"step":0},{"key":"m","value":1,"timestamp":1,"step":0}]}');
    });
  });
}
