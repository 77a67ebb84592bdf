/**
 * Every route of the service, read from the route table (routesOf), against every hostile shape
 * of request: nesting 100,000 levels deep, a wrong type in every field (nested ones too), huge
 * strings and lists, bad page tokens, over-cap and malformed bodies, wrong content types, NUL
 * bytes and hostile path parameters. Each answer is a 4xx in MLflow's JSON error shape (or, for
 * a large but valid value, a success), never a 5xx; the server still works afterwards.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';

import { routesOf, type RouteSpec } from '../../src/protocols/mlflow/schema';
import { bodyCapOf } from '../../src/protocols/mlflow/body-caps';
import { createExperiment, createRun, rawRequest, type RawResponse, type RouteCtx } from './context';

type Route = RouteSpec;

const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** JSON texts of the wrong type for a field, by what the field holds. */
function wrongValues(field: protobuf.Field): string[] {
  field.resolve();
  const scalar: Record<string, string[]> = {
    string: ['31', '1.5', 'true', '{}', '[]', '12345678901234567890'],
    int64: ['"abc"', '1.5', 'true', '{}', '[]', '"1.5"', '1e400', '9223372036854775808'],
    int32: ['"abc"', '1.5', 'true', '{}', '[]', '2147483648', '9223372036854775807'],
    double: ['"abc"', '{}', '[]', '"0x10"'],
    bool: ['"yes"', '1', '{}', '[]', '"true"'],
    enum: ['{}', '[]', 'true'],
    message: ['"x"', '5', '[]', 'true'],
  };
  const kind = field.resolvedType instanceof protobuf.Enum ? 'enum'
    : field.resolvedType instanceof protobuf.Type ? 'message'
      : ['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'].includes(field.type) ? 'int64'
        : ['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32'].includes(field.type) ? 'int32'
          : field.type === 'float' ? 'double' : field.type;
  const values = scalar[kind] ?? ['{}'];
  if (!field.repeated) return values;
  // A list field: a scalar where the list belongs, and a list of wrong items.
  return ['"x"', '5', '{}', '[null]', ...values.filter((v) => v !== '[]').map((v) => `[${v}]`)];
}

const isGet = (r: Route) => r.verb === 'get';
/** The artifact lists list a folder whole and ignore their page_token, as MLflow's local listing does. */
const honoursPageToken = (r: Route) => Boolean(r.request.fields.page_token) && r.rpc !== 'listArtifacts' && r.rpc !== 'listLoggedModelArtifacts';

export function hostileRouteTests(ctx: RouteCtx): void {
  describe('hostile requests on every route', () => {
    const routes = routesOf('mlflow.MlflowService');
    let exp = '';
    let run = '';
    let model = '';
    let checked = 0;
    const failures: string[] = [];

    before(async () => {
      exp = await createExperiment(ctx, 'hostile-routes');
      run = await createRun(ctx, exp);
      const created = await ctx.api.post('/api/2.0/mlflow/logged-models').send({ experiment_id: exp, name: 'hostile' });
      model = created.body.model.info.model_id;
    });

    /** Plausible values for the other fields, so a hostile one is what the request is judged on. */
    const baseline = (r: Route): Record<string, unknown> => {
      const known: Record<string, unknown> = {
        run_id: run, experiment_id: exp, model_id: model, metric_key: 'm', key: 'k', value: 'v', timestamp: 1,
        name: `hostile-${checked}`, experiment_name: 'Default', new_name: `hostile-renamed-${checked}`, max_results: 10,
      };
      const out: Record<string, unknown> = {};
      for (const f of r.request.fieldsArray) {
        if (!(f.name in known)) continue;
        if (f.name === 'value' && r.rpc === 'logMetric') out.value = 1;
        else if (f.repeated) out[f.name] = [known[f.name]];
        else out[f.name] = known[f.name];
      }
      return out;
    };

    const urlOf = (r: Route, modelId = model) =>
      `${r.ajaxOnly ? '/ajax-api' : '/api'}/${r.since}.0${r.path.replace('{model_id}', encodeURIComponent(modelId)).replace('{tag_key}', 'k')}`;

    const send = (r: Route, body: string | Buffer | undefined, headers: Record<string, string> = { 'Content-Type': 'application/json' }, url = urlOf(r)) =>
      rawRequest(ctx, r.verb.toUpperCase(), url, body, body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });

    /** A query string from field → value(s), values taken as already written. */
    const query = (fields: Record<string, unknown>) => Object.entries(fields)
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`)).join('&');

    function judge(what: string, res: RawResponse, mayPass = false): void {
      checked++;
      let body: any;
      try { body = JSON.parse(res.text); } catch { body = undefined; }
      const shaped = body && typeof body.error_code === 'string' && typeof body.message === 'string' && /application\/json/.test(String(res.headers['content-type']));
      if (res.status >= 500) failures.push(`${what}: ${res.status} ${res.text.slice(0, 200)}`);
      else if (res.status >= 400 && !shaped) failures.push(`${what}: ${res.status} without MLflow's error shape: ${res.text.slice(0, 200)}`);
      else if (res.status < 400 && !mayPass) failures.push(`${what}: accepted (${res.status}) ${res.text.slice(0, 200)}`);
    }

    /** A body with `value` (JSON text) as field `name`, the other fields plausible. */
    const withField = (r: Route, name: string, value: string) => {
      const rest = baseline(r);
      delete rest[name];
      const tail = JSON.stringify(rest).slice(1, -1);
      return `{"${name}":${value}${tail ? `,${tail}` : ''}}`;
    };

    /** Path parameters win over body fields of the same name, so a body cannot mistype them. */
    const inPath = (r: Route, f: protobuf.Field) => r.path.includes(`{${f.name}}`);

    it('answers a wrong type in any field, nested fields included, with INVALID_PARAMETER_VALUE', async () => {
      for (const r of routes.filter((x) => !isGet(x))) {
        for (const f of r.request.fieldsArray.filter((x) => !inPath(r, x))) {
          for (const v of wrongValues(f)) {
            const res = await send(r, withField(r, f.name, v));
            judge(`${r.rpc} ${f.name}=${v}`, res);
            if (res.status !== 400 || !/INVALID_PARAMETER_VALUE/.test(res.text)) failures.push(`${r.rpc} ${f.name}=${v}: ${res.status} ${res.text.slice(0, 160)}`);
          }
          const sub = f.resolvedType;
          if (!(sub instanceof protobuf.Type)) continue;
          for (const g of sub.fieldsArray) {
            for (const v of wrongValues(g)) {
              const item = `{"${g.name}":${v}}`;
              const res = await send(r, withField(r, f.name, f.repeated ? `[${item}]` : item));
              judge(`${r.rpc} ${f.name}.${g.name}=${v}`, res);
            }
          }
        }
      }
      for (const r of routes.filter(isGet)) {
        for (const f of r.request.fieldsArray) {
          f.resolve();
          if (f.type === 'string') continue;
          // An enum name it does not know is dropped, as MLflow's parser drops it.
          const isEnum = f.resolvedType instanceof protobuf.Enum;
          for (const v of ['abc', '1.5', '99999999999999999999', '', ' ']) {
            const res = await send(r, undefined, {}, `${urlOf(r)}?${query({ ...baseline(r), [f.name]: v })}`);
            judge(`GET ${r.rpc} ${f.name}=${JSON.stringify(v)}`, res, isEnum);
          }
        }
      }
      assert.deepEqual(failures.splice(0), []);
    });

    it('answers JSON nested 100,000 levels deep, in any field or as the body, with a 400', async () => {
      for (const r of routes.filter((x) => !isGet(x))) {
        const room = Math.floor((bodyCapOf(r.rpc) - 1024) / 2);
        const depth = Math.min(100_000, room);
        assert.ok(depth > 8000, `${r.rpc}: nesting of ${depth} levels is too shallow to test`);
        for (const f of r.request.fieldsArray.filter((x) => !inPath(r, x))) {
          judge(`${r.rpc} ${f.name}=[[[…]]]`, await send(r, withField(r, f.name, deepArray(depth))));
          judge(`${r.rpc} ${f.name}={a:{a:…}}`, await send(r, withField(r, f.name, deepObject(Math.floor(depth * 2 / 5)))));
        }
        judge(`${r.rpc} body=[[[…]]]`, await send(r, deepArray(depth)));
        // An unknown field is ignored, so the call itself runs: keep the shared run and experiment alive.
        if (!/^(delete|restore)/.test(r.rpc)) judge(`${r.rpc} unknown field=[[[…]]]`, await send(r, withField(r, 'zz_unknown', deepArray(depth))), true);
        if (r.request.fields.page_token) {
          judge(`${r.rpc} page_token=b64([[[…]]])`, await send(r, withField(r, 'page_token', JSON.stringify(b64(deepArray(Math.floor(room * 3 / 8)))))));
          judge(`${r.rpc} page_token=b64({"offset": [[…]]})`, await send(r, withField(r, 'page_token', JSON.stringify(b64(`{"offset": ${deepArray(300)}}`)))));
        }
        if (r.rpc === 'logModel') judge('logModel model_json=[[[…]]]', await send(r, withField(r, 'model_json', JSON.stringify(deepArray(depth / 2)))));
      }
      for (const r of routes.filter((x) => isGet(x) && honoursPageToken(x))) {
        judge(`GET ${r.rpc} page_token=b64([[[…]]])`, await send(r, undefined, {}, `${urlOf(r)}?${query({ ...baseline(r), page_token: b64(deepArray(4000)) })}`));
      }
      assert.deepEqual(failures.splice(0), []);
    });

    it('answers huge strings and lists with a 4xx, or accepts them where they are valid', async () => {
      for (const r of routes.filter((x) => !isGet(x))) {
        const cap = bodyCapOf(r.rpc);
        for (const f of r.request.fieldsArray.filter((x) => !inPath(r, x))) {
          f.resolve();
          if (f.type === 'string') {
            const big = JSON.stringify('s'.repeat(Math.min(cap - 2048, 300_000)));
            judge(`${r.rpc} ${f.name}=<${big.length} chars>`, await send(r, withField(r, f.name, f.repeated ? `[${big}]` : big)), true);
            judge(`${r.rpc} ${f.name}=<over the cap>`, await send(r, withField(r, f.name, JSON.stringify('s'.repeat(cap)))));
            judge(`${r.rpc} ${f.name}=NUL`, await send(r, withField(r, f.name, f.repeated ? '["a\\u0000b"]' : '"a\\u0000b"')));
          }
          if (f.repeated) {
            const item = f.resolvedType instanceof protobuf.Type ? '{}' : f.type === 'string' ? '"a"' : '1';
            const n = Math.min(200_000, Math.floor((cap - 2048) / (item.length + 1)));
            judge(`${r.rpc} ${f.name}=<${n} items>`, await send(r, withField(r, f.name, `[${`${item},`.repeat(n - 1)}${item}]`)), true);
            judge(`${r.rpc} ${f.name}=<over the cap>`, await send(r, withField(r, f.name, `[${`${item},`.repeat(Math.ceil(cap / (item.length + 1)))}${item}]`)));
          }
        }
      }
      for (const r of routes.filter(isGet)) {
        for (const f of r.request.fieldsArray.filter((x) => !inPath(r, x))) {
          f.resolve();
          if (f.type !== 'string') continue;
          // Node's own 16 KiB header limit bounds a URL; stay under it so the app is what answers.
          judge(`GET ${r.rpc} ${f.name}=<12k chars>`, await send(r, undefined, {}, `${urlOf(r)}?${query({ ...baseline(r), [f.name]: 's'.repeat(12_000) })}`), true);
          judge(`GET ${r.rpc} ${f.name}=NUL`, await send(r, undefined, {}, `${urlOf(r)}?${query({ ...baseline(r), [f.name]: 'a\u0000b' })}`));
          if (f.repeated) {
            judge(`GET ${r.rpc} ${f.name}=<1,100 values>`, await send(r, undefined, {}, `${urlOf(r)}?${query({ ...baseline(r), [f.name]: Array(1100).fill('a') })}`));
          }
        }
      }
      assert.deepEqual(failures.splice(0), []);
    });

    it('answers bad page tokens with INVALID_PARAMETER_VALUE', async () => {
      const tokens = ['!!!', 'e30=', b64('[]'), b64('null'), b64('{"offset": -1}'), b64('{"offset": 1e308}'), b64('{"offset": "9".repeat}'),
        b64('{"offset": 1.5}'), b64(`{"offset": ${'9'.repeat(400)}}`), 'A'.repeat(5000), b64('\u0000\ufffd'), '====', 'eyJvZmZzZXQiOiAxMDB9\n'];
      for (const r of routes.filter(honoursPageToken)) {
        for (const t of tokens) {
          const res = isGet(r)
            ? await send(r, undefined, {}, `${urlOf(r)}?${query({ ...baseline(r), page_token: t })}`)
            : await send(r, withField(r, 'page_token', JSON.stringify(t)));
          judge(`${r.rpc} page_token=${t.slice(0, 30)}`, res);
          if (!/INVALID_PARAMETER_VALUE/.test(res.text)) failures.push(`${r.rpc} page_token=${t.slice(0, 30)}: ${res.text.slice(0, 160)}`);
        }
      }
      assert.deepEqual(failures.splice(0), []);
    });

    it('answers malformed, over-cap and mistyped bodies, and hostile path parameters, with a 4xx', async () => {
      const bodies: Array<[string, string | Buffer]> = [
        ['malformed', '{"name": '], ['array', '[]'], ['string', '"x"'], ['number', '5'], ['null', 'null'],
        ['bad UTF-8', Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])], ['trailing', '{} {}'],
        ['BOM', '\ufeff{}'], ['bare NUL', '{"name": "a\u0000"}'], ['lone surrogate', '{"zz": "\\udc00"}'],
      ];
      for (const r of routes.filter((x) => !isGet(x))) {
        // Undecodable bytes read as U+FFFD and a lone surrogate in an unknown field is ignored, so those may pass.
        for (const [what, body] of bodies) judge(`${r.rpc} body ${what}`, await send(r, body), what === 'bad UTF-8' || what === 'lone surrogate');
        judge(`${r.rpc} over the cap`, await send(r, `{"pad": "${'p'.repeat(bodyCapOf(r.rpc))}"}`));
        for (const type of ['text/plain', 'application/jsonx', 'application/json-patch+json', 'multipart/form-data; boundary=x']) {
          judge(`${r.rpc} Content-Type ${type}`, await send(r, JSON.stringify(baseline(r)), { 'Content-Type': type }));
        }
        if (r.verb === 'post' || r.verb === 'put') judge(`${r.rpc} no Content-Type`, await send(r, JSON.stringify(baseline(r)), {}));
        judge(`${r.rpc} gzip`, await send(r, JSON.stringify(baseline(r)), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }));
      }
      for (const r of routes.filter((x) => x.path.includes('{model_id}'))) {
        for (const id of ['%zz', '%00', 'x'.repeat(5000), '..', '%2e%2e', '%2F', "m-1'%20OR%20'1'='1", '%F0%9F%98%80', '%ED%A0%80']) {
          const url = urlOf(r, '__ID__').replace(encodeURIComponent('__ID__'), id);
          const body = isGet(r) ? undefined : '{}';
          judge(`${r.rpc} model_id=${id.slice(0, 20)}`, await send(r, body, isGet(r) ? {} : { 'Content-Type': 'application/json' }, url));
        }
      }
      assert.deepEqual(failures.splice(0), []);
    });

    it('still works afterwards', async () => {
      assert.ok(checked > 1000, `only ${checked} hostile requests were judged`);
      const health = await ctx.api.get('/health');
      assert.equal(health.status, 200);
      const id = await createRun(ctx, await createExperiment(ctx, 'hostile-after'));
      const logged = await ctx.api.post('/api/2.0/mlflow/runs/log-metric').send({ run_id: id, key: 'm', value: 1, timestamp: 1 });
      assert.equal(logged.status, 200, logged.text);
    });
  });
}
