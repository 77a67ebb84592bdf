/**
 * An experiment's artifact location decides where every run and logged model of it is written.
 * A proxied location (`mlflow-artifacts:`) names a folder of this server's store, so it is held to
 * the same rules as a requested artifact path; a hostile one is refused and creates nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { assertError, type RouteCtx } from './context';

const HOSTILE_PROXIED = [
  'mlflow-artifacts:/../outside',
  'mlflow-artifacts:/a/../../outside',
  'mlflow-artifacts:/..\\outside',
  'mlflow-artifacts:/%2e%2e/outside',
  'mlflow-artifacts:/%252e%252e%252foutside',
  'mlflow-artifacts:/a;/../outside',
  'mlflow-artifacts:////etc',
  'mlflow-artifacts://host//proc/self/root',
  'mlflow-artifacts:/file:/etc',
  'mlflow-artifacts:/a\u0000b',
  'mlflow-artifacts:/C:/Windows',
];

export function experimentLocationTests(ctx: RouteCtx): void {
  describe('experiment artifact locations', () => {
    for (const [i, location] of HOSTILE_PROXIED.entries()) {
      it(`refuses the proxied location ${JSON.stringify(location)}`, async () => {
        const name = `hostile-location-${i}`;
        const res = await ctx.api.post('/api/2.0/mlflow/experiments/create').send({ name, artifact_location: location });
        assertError(res, 400, 'INVALID_PARAMETER_VALUE');
        // Nothing was created under that name.
        assertError(await ctx.api.get('/api/2.0/mlflow/experiments/get-by-name').query({ experiment_name: name }), 404, 'RESOURCE_DOES_NOT_EXIST');
      });
    }

    it('refuses control characters in any location', async () => {
      for (const location of ['/tmp/a\u0000b', 's3://bucket/a\nb', 'file:///tmp/a\rb']) {
        assertError(await ctx.api.post('/api/2.0/mlflow/experiments/create').send({ name: 'ctl-location', artifact_location: location }), 400, 'INVALID_PARAMETER_VALUE');
      }
    });

    it('keeps a plain proxied folder, and runs are placed below it', async () => {
      const created = await ctx.api.post('/api/2.0/mlflow/experiments/create').send({ name: 'proxied-sub', artifact_location: 'mlflow-artifacts:/team-a/exp' });
      assert.equal(created.status, 200, created.text);
      const id = created.body.experiment_id as string;
      const got = await ctx.api.get('/api/2.0/mlflow/experiments/get').query({ experiment_id: id });
      assert.equal(got.body.experiment.artifact_location, 'mlflow-artifacts:/team-a/exp');
      const run = await ctx.api.post('/api/2.0/mlflow/runs/create').send({ experiment_id: id });
      assert.equal(run.status, 200, run.text);
      assert.match(run.body.run.info.artifact_uri, /^mlflow-artifacts:\/team-a\/exp\/[0-9a-f]{32}\/artifacts$/);
    });
  });
}
