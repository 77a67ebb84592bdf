/**
 * The route table, read straight from proto/mlflow/service.proto (not through the server's own
 * loader): every rpc answers under /api/<since>.0 and /ajax-api/<since>.0 with its declared
 * method (ajax_only ones only under /ajax-api), other methods get 405, unknown paths MLflow's
 * ENDPOINT_NOT_FOUND (404) as JSON.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { assertError, isJson, rawRequest, type RouteCtx } from './context';

interface DeclaredRoute { rpc: string; verb: string; template: string; since: number; ajaxOnly: boolean }

const VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export function declaredRoutes(): DeclaredRoute[] {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'proto', 'mlflow', 'service.proto'), 'utf8');
  const service = text.slice(text.indexOf('service MlflowService'));
  const out: DeclaredRoute[] = [];
  // Each rpc's options run up to the next rpc (route strings hold braces, so no brace matching).
  for (const m of service.matchAll(/rpc\s+(\w+)\s*\([^)]*\)\s*returns\s*\([^)]*\)([\s\S]*?)(?=\brpc\s|$)/g)) {
    const [, rpc, body] = m;
    const since = Number(/\(trackbridge\.since\)\s*=\s*(\d+)/.exec(body)?.[1] ?? 2);
    const ajaxOnly = /\(trackbridge\.ajax_only\)\s*=\s*true/.test(body);
    const routes = [...body.matchAll(/\(trackbridge\.route\)\s*=\s*"(\w+) ([^"]+)"/g)];
    assert.ok(routes.length > 0, `rpc ${rpc} declares no route`);
    for (const [, verb, template] of routes) out.push({ rpc, verb: verb.toUpperCase(), template, since, ajaxOnly });
  }
  return out;
}

const fill = (template: string) => template.replace(/\{model_id\}/g, 'm-0000').replace(/\{(\w+)\}/g, 'x');
const matcher = (template: string) => new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);

export function routeTableTests(ctx: RouteCtx): void {
  describe('route table', () => {
    const routes = declaredRoutes();

    it('reads every rpc of the service from the .proto', () => {
      assert.ok(routes.length >= 35, `only ${routes.length} routes found`);
      const rpcs = new Set(routes.map((r) => r.rpc));
      for (const rpc of ['createExperiment', 'searchRuns', 'logBatch', 'getMetricHistoryBulkInterval', 'createLoggedModel', 'finalizeLoggedModel']) {
        assert.ok(rpcs.has(rpc), `${rpc} is missing`);
      }
    });

    it('mounts every rpc with its declared method under /api and /ajax-api', async () => {
      for (const r of routes) {
        const prefixes = r.ajaxOnly ? ['/ajax-api'] : ['/api', '/ajax-api'];
        for (const prefix of prefixes) {
          const url = `${prefix}/${r.since}.0${fill(r.template)}`;
          let req = ctx.api[r.verb.toLowerCase() as 'get'](url);
          if (r.verb !== 'GET') req = req.set('Content-Type', 'application/json').send('{}');
          const res = await req;
          // Mounted means the rpc answered in MLflow's JSON: a result or a JSON error.
          assert.ok(isJson(res), `${r.verb} ${url} (${r.rpc}) is not mounted: ${res.status} ${res.text.slice(0, 100)}`);
          assert.ok(res.status < 500, `${r.verb} ${url} (${r.rpc}) answered ${res.status}: ${res.text.slice(0, 200)}`);
          if (res.status !== 200) assert.equal(typeof res.body.error_code, 'string', `${r.verb} ${url}: ${res.text}`);
        }
      }
    });

    it('keeps ajax_only rpcs off /api', async () => {
      const ajaxOnly = routes.filter((r) => r.ajaxOnly);
      assert.ok(ajaxOnly.length >= 2);
      for (const r of ajaxOnly) {
        const url = `/api/${r.since}.0${fill(r.template)}`;
        const res = await ctx.api[r.verb.toLowerCase() as 'get'](url);
        assertError(res, 404, 'ENDPOINT_NOT_FOUND');
      }
    });

    it('answers 405 to every undeclared method on a declared path', async () => {
      const checked = new Set<string>();
      for (const r of routes) {
        for (const prefix of r.ajaxOnly ? ['/ajax-api'] : ['/api', '/ajax-api']) {
          const concrete = fill(r.template);
          const url = `${prefix}/${r.since}.0${concrete}`;
          if (checked.has(url)) continue;
          checked.add(url);
          // Methods some declared route on this prefix accepts for this concrete path.
          const allowed = new Set(routes
            .filter((o) => o.since === r.since && (prefix === '/ajax-api' || !o.ajaxOnly) && matcher(o.template).test(concrete))
            .map((o) => o.verb));
          for (const verb of VERBS.filter((v) => !allowed.has(v))) {
            const res = await ctx.api[verb.toLowerCase() as 'get'](url);
            assert.equal(res.status, 405, `${verb} ${url} should be 405 (allowed: ${[...allowed].join(', ')}), got ${res.status}`);
          }
        }
      }
      assert.ok(checked.size >= 60);
    });

    it('answers unknown routes with ENDPOINT_NOT_FOUND in MLflow\'s JSON shape, under every prefix', async () => {
      for (const [verb, url] of [
        ['GET', '/api/2.0/mlflow/no-such-thing'],
        ['POST', '/api/2.0/mlflow/runs/no-such-thing'],
        ['GET', '/api/9.0/mlflow/runs/get'],
        ['GET', '/api/2.0/mlflow/runs/get/extra'],
        ['GET', '/nothing/here'],
        ['PUT', '/'],
        ['DELETE', '/ajax-api/2.0/mlflow/experiments'],
        ['OPTIONS', '/ajax-api/2.0/mlflow/nope'],
      ] as const) {
        const res = await ctx.api[verb.toLowerCase() as 'get'](url);
        assertError(res, 404, 'ENDPOINT_NOT_FOUND', /No API endpoint answers/);
        assert.ok(isJson(res), `${verb} ${url}: ${res.headers['content-type']}`);
      }
    });

    it('answers a path that is not valid percent-encoding with a JSON 400, not an HTML page', async () => {
      for (const url of ['/api/2.0/mlflow/logged-models/%zz', '/api/2.0/mlflow/logged-models/%E0%A4%A/tags', '/ajax-api/2.0/mlflow/logged-models/m-1/tags/%']) {
        for (const method of ['GET', 'PATCH', 'DELETE']) {
          const res = await rawRequest(ctx, method, url, method === 'GET' ? undefined : '{}', method === 'GET' ? {} : { 'Content-Type': 'application/json' });
          assert.ok(res.status === 400 || res.status === 404 || res.status === 405, `${method} ${url}: ${res.status} ${res.text}`);
          if (res.status !== 405) {
            assert.match(String(res.headers['content-type']), /application\/json/, `${method} ${url}: ${res.text}`);
            assert.equal(typeof JSON.parse(res.text).error_code, 'string', `${method} ${url}: ${res.text}`);
          }
        }
      }
    });

    it('serves the probes: /health, /version and server-info', async () => {
      const health = await ctx.api.get('/health');
      assert.equal(health.status, 200);
      assert.equal(health.text, 'OK');
      const version = await ctx.api.get('/version');
      assert.equal(version.status, 200);
      assert.match(version.text, /^\d+\.\d+\.\d+/);
      for (const p of ['/api/3.0/mlflow/server-info', '/ajax-api/3.0/mlflow/server-info']) {
        const info = await ctx.api.get(p);
        assert.equal(info.status, 200, p);
        assert.ok(isJson(info), p);
        assert.equal(typeof info.body.store_type, 'string');
      }
    });
  });
}
