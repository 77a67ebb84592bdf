/** Where a model version's source may point: inside its root, compared as MLflow's server reads locations. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { pathBelow } from '../src/core/model-version-source';

describe('model version sources', () => {
  it('finds a source inside its root, as a URI or as a local path', () => {
    assert.equal(pathBelow('mlflow-artifacts:/1/r/artifacts/model', 'mlflow-artifacts:/1/r/artifacts'), 'model');
    assert.equal(pathBelow('mlflow-artifacts:/1/r/artifacts', 'mlflow-artifacts:/1/r/artifacts'), '');
    assert.equal(pathBelow('mlflow-artifacts:/1/r/artifacts/', 'mlflow-artifacts:/1/r/artifacts'), '');
    assert.equal(pathBelow('/data/1/r/artifacts/model/sub', 'file:///data/1/r/artifacts'), 'model/sub');
    assert.equal(pathBelow('file:///data/1/r/artifacts/model', '/data/1/r/artifacts'), 'model');
    assert.equal(pathBelow('file://localhost/data/1/r/artifacts/model', 'file:///data/1/r/artifacts'), 'model');
    assert.equal(pathBelow('s3://b/1/r/artifacts/model', 's3://b/1/r/artifacts'), 'model');
  });

  it('finds nothing outside it', () => {
    for (const [source, root] of [
      ['mlflow-artifacts:/1/r/artifactsX/model', 'mlflow-artifacts:/1/r/artifacts'],
      ['mlflow-artifacts:/1/other/artifacts/model', 'mlflow-artifacts:/1/r/artifacts'],
      ['file://evil/data/1/r/artifacts/model', 'file:///data/1/r/artifacts'],
      ['//data/1/r/artifacts/model', 'file:///data/1/r/artifacts'],
      ['s3://b/1/r/artifacts/model', 'mlflow-artifacts:/1/r/artifacts'],
      ['mlflow-artifacts:/1/r/artifacts/model?x=1', 'mlflow-artifacts:/1/r/artifacts'],
      ['mlflow-artifacts:/1/r/artifacts/model', 'relative/root'],
    ]) {
      assert.equal(pathBelow(source, root), undefined, `${source} in ${root}`);
    }
  });

  it('refuses a hostile path below a root', () => {
    for (const tail of ['a//b', 'a/./b', 'file:x', '..', 'a\\b']) {
      assert.throws(() => pathBelow(`mlflow-artifacts:/1/r/artifacts/${tail}`, 'mlflow-artifacts:/1/r/artifacts'), { code: 'INVALID_ARGUMENT' }, tail);
    }
  });
});
