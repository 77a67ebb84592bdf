/**
 * The GraphQL endpoint's executor on its own: dispatch on operationName, tolerance of what newer
 * clients select, and the caps a hostile document meets before anything runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphqlEngine } from '../src/protocols/wandb/graphql/engine';
import type { GraphqlArea } from '../src/protocols/wandb/graphql/area';
import { GRAPHQL_LIMITS } from '../src/protocols/wandb/graphql/caps';
import { TrackbridgeError } from '../src/core/errors';
import type { WandbContext } from '../src/protocols/wandb/context';

const logged: string[] = [];
const ctx = { log: (m: string) => logged.push(m), account: { userName: 'alice', entity: 'alice', keyId: 'k' } } as unknown as WandbContext;

const echo: GraphqlArea = {
  name: 'echo',
  sdl: `
    type Thing { name: String, size: Int, child: Thing }
    extend type Query { echo(input: JSON, text: String): JSON, thing(depth: Int): Thing, busy: Int, boom: Int, refuse: Int }`,
  operations: ['Echo', 'Things', 'Busy', 'Boom', 'Refuse'],
  resolvers: {
    Query: {
      echo: (_s: unknown, a: { input?: unknown; text?: unknown }) => ({ input: a.input ?? null, text: a.text ?? null }),
      thing: (_s: unknown, a: { depth?: number }) => {
        const make = (n: number): object => ({ name: `t${n}`, size: n, child: n > 0 ? make(n - 1) : null });
        return make(a.depth ?? 1);
      },
      busy: () => { throw new TrackbridgeError('UNAVAILABLE', 'store busy'); },
      boom: () => { throw new Error('secret database detail'); },
      refuse: () => { throw new TrackbridgeError('INVALID_ARGUMENT', 'bad input value'); },
    },
  },
};

const engine = new GraphqlEngine([echo]);
// As the client sees it: graphql-js builds objects without a prototype.
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const run = async (query: string, variables?: unknown, operationName?: string) => plain(await engine.run({ query, variables, operationName }, ctx));

test('an operation is served only when an area names it, and an unknown one is logged and refused as a GraphQL error', async () => {
  const served = await run('query Echo { echo(text: "hi") }', undefined, 'Echo');
  assert.deepEqual(served, { status: 200, body: { data: { echo: { input: null, text: 'hi' } } } });
  logged.length = 0;
  const unknown = await run('query SweepConfig { echo(text: "hi") }', undefined, 'SweepConfig');
  assert.equal(unknown.status, 200);
  assert.equal(unknown.body.data, null);
  assert.match(unknown.body.errors![0].message, /unsupported operation: SweepConfig/);
  assert.ok(logged.some((l) => l.includes('SweepConfig')));
});

test('fields, arguments and fragments on types the schema does not know are answered without them', async () => {
  const out = await run(`
    query Things { thing(depth: 2, newArgument: 3) { name newField { a } ... on Unknown { size } ...F child { name } } }
    fragment F on Thing { size } `, undefined, 'Things');
  assert.deepEqual(out.body, { data: { thing: { name: 't2', size: 2, child: { name: 't1' } } } });
});

test('a variable typed as an input object or enum the schema lacks arrives as plain JSON', async () => {
  const out = await run('query Echo($input: CreateArtifactInput!, $kind: ArtifactManifestType) { echo(input: $input) }',
    { input: { artifactFiles: [{ name: 'a.txt', md5: 'x' }], storageLayout: 'V2', futureField: true }, kind: 'FULL' }, 'Echo');
  assert.deepEqual(out.body, { data: { echo: { input: { artifactFiles: [{ name: 'a.txt', md5: 'x' }], storageLayout: 'V2', futureField: true }, text: null } } });
});

test('aliases and __typename are answered', async () => {
  const out = await run('query Things { a: thing(depth: 0) { __typename name } b: thing(depth: 1) { size } }', undefined, 'Things');
  assert.deepEqual(out.body, { data: { a: { __typename: 'Thing', name: 't0' }, b: { size: 1 } } });
});

test('without an operationName the document\'s single operation is the one run; with several one must be named', async () => {
  assert.deepEqual((await run('query Echo { echo(text: "x") }')).body.data, { echo: { input: null, text: 'x' } });
  const two = await run('query Echo { echo } query Things { thing { name } }');
  assert.match(two.body.errors![0].message, /needs an operationName/);
  const named = await run('query Echo { echo } query Things { thing { name } }', undefined, 'Things');
  assert.deepEqual(named.body.data, { thing: { name: 't1' } });
  const missing = await run('query Echo { echo }', undefined, 'Things');
  assert.match(missing.body.errors![0].message, /no operation Things/);
});

test('a resolver\'s TrackbridgeError reaches the client as its message; anything else as a generic one, logged', async () => {
  const refused = await run('query Refuse { refuse }');
  assert.deepEqual(refused.body.errors!.map((e) => e.message), ['bad input value']);
  assert.equal(refused.status, 200);
  logged.length = 0;
  const boom = await run('query Boom { boom }');
  assert.deepEqual(boom.body.errors!.map((e) => e.message), ['internal server error']);
  assert.ok(!JSON.stringify(boom.body).includes('secret database detail'));
  assert.ok(logged.some((l) => l.includes('secret database detail')));
});

test('a busy store answers 503, which the client retries', async () => {
  const out = await run('query Busy { busy }');
  assert.equal(out.status, 503);
  assert.equal(out.body.errors![0].message, 'store busy');
});

test('malformed requests are GraphQL errors, never exceptions', async () => {
  for (const req of [
    { query: undefined }, { query: '' }, { query: 42 }, { query: '{ echo' }, { query: 'query Echo { echo }', operationName: 7 },
    { query: 'query Echo { echo }', variables: [1] }, { query: 'query Echo { echo }', variables: 'x' },
    { query: '{ echo }' }, { query: 'subscription Echo { echo }' }, { query: 'query Echo { ...Missing }' },
  ]) {
    const out = await engine.run(req as never, ctx);
    assert.equal(out.status, 200, JSON.stringify(req));
    assert.equal(out.body.data, null, JSON.stringify(req));
    assert.ok(out.body.errors!.length >= 1, JSON.stringify(req));
  }
});

test('documents past the caps are refused before anything runs', async () => {
  const deep = `query Things { ${'thing { child { '.repeat(12)}name${' } }'.repeat(12)} }`;
  assert.match((await run(deep)).body.errors![0].message, /nest fields at most/);
  const wide = `query Things { ${Array.from({ length: GRAPHQL_LIMITS.aliases + 1 }, (_, i) => `a${i}: thing { name }`).join(' ')} }`;
  assert.match((await run(wide)).body.errors![0].message, /at most \d+ (aliases|fields)/);
  const long = `query Echo { echo(text: "${'x'.repeat(GRAPHQL_LIMITS.queryChars)}") }`;
  assert.match((await run(long)).body.errors![0].message, /at most \d+ characters/);
  const tokens = `query Echo { ${'echo '.repeat(GRAPHQL_LIMITS.tokens)} }`;
  assert.ok((await run(tokens)).body.errors![0].message.length > 0);
  // Fragments spreading each other in a cycle, or one fanning out into many fields, are refused whole.
  const cycle = 'query Things { thing { ...A } } fragment A on Thing { child { ...B } } fragment B on Thing { child { ...A } }';
  assert.match((await run(cycle)).body.errors![0].message, /spreads itself/);
  const fan = ['query Things { thing { ...F0 } }',
    ...Array.from({ length: 12 }, (_, i) => `fragment F${i} on Thing { name ${i < 11 ? `child { ...F${i + 1} } a${i}: child { ...F${i + 1} }` : ''} }`)].join('\n');
  assert.match((await run(fan)).body.errors![0].message, /at most \d+ (fields|aliases)/);
});

test('two areas claiming one operation, or resolving an unknown field, fail at start', () => {
  assert.throws(() => new GraphqlEngine([echo, { ...echo, name: 'again', sdl: '', resolvers: {} }]), /claimed by both/);
  assert.throws(() => new GraphqlEngine([{ name: 'x', sdl: '', operations: [], resolvers: { Query: { nothing: () => 1 } } }]), /unknown field Query.nothing/);
});
