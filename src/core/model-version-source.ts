/**
 * Where a new model version's files are. A client names them by a `source`; this server takes
 * only sources that point into its own artifacts: a run's files (`runs:/<run id>/<path>`), a
 * logged model (`models:/<model id>`), another version (`models:/<name>/<version>`,
 * `models:/<name>@<alias>`), or a location inside a run's or logged model's own artifact
 * location, named by run_id or model_id. Anything else, and any path that could climb out of
 * its root once decoded (`..`, `%2e%2e`, `%252e`, `;`, NUL, empty segments), is refused: the
 * version's storage location is what get-download-uri hands to clients and what the server
 * itself serves files from. Another version is found by a registry lookup of its name, which
 * may hold what a path may not (`a%b`, a backslash): its location was judged when it was made.
 */
import { invalid } from './errors';
import { checkRequestedPath, decodedFully } from './artifact-paths';
import type { ModelVersion } from './model';
import type { Store } from './store';
import { clip } from './text';
import { checkAliasName, checkModelName, checkVersion, hasPromptTag, isLatestAlias, PROMPT_SOURCES, REGISTRY_LIMITS, stageNamed } from './registry-checks';

export interface VersionSourceRequest {
  source: string;
  runId?: string;
  modelId?: string;
  isPrompt: boolean;
}

export interface ResolvedSource {
  /** As recorded on the version (a `models:/name@alias` source is recorded by its number). */
  source: string;
  runId?: string;
  modelId?: string;
  storageLocation: string;
}

/** MLflow's rule for a run id and a logged model's id. */
const ENTITY_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

const unsafe = (source: string) => invalid(
  `Invalid model version source: '${clip(source)}'. If supplying a source as an http, https, local file path, ftp, objectstore, ` +
    'or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.',
);

const notContained = (source: string, by: 'run_id' | 'model_id') =>
  invalid(`Invalid model version source: '${clip(source)}'. The ${by} request parameter must identify the resource that contains the source.`);

const localNotContained = (source: string, by: 'run_id' | 'model_id') => invalid(
  `Invalid model version source: '${clip(source)}'. To use a local path as a model version source, the ${by} request parameter has to be ` +
    `specified and the local path has to be contained within the artifact directory of the ${by === 'run_id' ? 'run' : 'model'} specified by the ${by}.`,
);

/**
 * What no source may hold in any decoding: NUL and other control characters, backslashes,
 * `;` (path parameters), `..` or `.` segments, and percent-escapes at all (our locations never
 * need them, and a second decoding is how traversals are smuggled).
 */
function refuseHostile(source: string): void {
  const decoded = decodedFully(source);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\;]/.test(decoded) || /%/.test(source)) throw unsafe(source);
  const path = decoded.replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, '');
  if (path.split('/').some((seg) => seg === '..' || seg === '.')) throw unsafe(source);
}

const isLocal = (s: string) => !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) || /^file:/i.test(s) || /^[A-Za-z]:[\\/]/.test(s);

/** A local location as a plain absolute path: `/x`, `file:///x`, `file://localhost/x`; undefined for any other. */
function localPath(uri: string): string | undefined {
  if (uri.startsWith('/') && !uri.startsWith('//')) return uri;
  const m = /^file:\/\/(?:localhost)?(\/(?!\/).*)$/i.exec(uri) ?? /^file:(\/(?!\/).*)$/i.exec(uri);
  return m?.[1];
}

/**
 * The path of `source` below `root` ('' for the root itself), or undefined when it is not inside
 * it. A local root and a local source compare as paths, so `/x/artifacts/model` is inside
 * `file:///x/artifacts`, as MLflow's server reads them.
 */
export function pathBelow(source: string, root: string): string | undefined {
  const localRoot = localPath(root);
  const localSource = localPath(source);
  if (localRoot !== undefined && localSource !== undefined) return below(localSource, localRoot);
  return below(source, root);
}

function below(source: string, root: string): string | undefined {
  const base = root.replace(/\/+$/, '');
  if (base === '' || !/^[A-Za-z][A-Za-z0-9+.-]*:|^\//.test(base)) return undefined;
  if (source === base || source === `${base}/`) return '';
  if (!source.startsWith(`${base}/`)) return undefined;
  const rel = source.slice(base.length + 1).replace(/\/+$/, '');
  // A query or fragment would be read as such by whoever fetches the location.
  if (/[?#]/.test(rel)) return undefined;
  return checkRequestedPath(rel);
}

const join = (root: string, rel: string) => (rel === '' ? root : `${root.replace(/\/+$/, '')}/${rel}`);

type SourceReads = Pick<Store, 'getRunInfo' | 'getLoggedModel' | 'getRegisteredModel' | 'getModelVersion' | 'modelVersionByAlias' | 'newestModelVersion' | 'latestModelVersions'>;

export async function resolveVersionSource(store: SourceReads, req: VersionSourceRequest): Promise<ResolvedSource> {
  const { source } = req;
  if (source.length > REGISTRY_LIMITS.sourceLength) {
    throw invalid(`'source' exceeds the maximum length of ${REGISTRY_LIMITS.sourceLength} characters`);
  }
  if (req.runId !== undefined && req.runId !== '' && !ENTITY_ID.test(req.runId)) throw invalid(`Invalid run ID: '${clip(req.runId)}'`);
  if (req.modelId !== undefined && req.modelId !== '' && !ENTITY_ID.test(req.modelId)) throw invalid(`Invalid model ID: '${clip(req.modelId)}'`);
  const runId = req.runId || undefined;
  const modelId = req.modelId || undefined;

  if (req.isPrompt) {
    if (!PROMPT_SOURCES.has(source)) throw invalid(`Invalid prompt source: '${clip(source)}'. Prompt sources must use an MLflow placeholder.`);
    return { source, runId, modelId, storageLocation: source };
  }
  // Before any path check: a models: source names a version by registry lookup, not by a path.
  if (/^models:/i.test(source)) return fromModelsUri(store, source, runId, modelId);
  refuseHostile(source);
  if (/^runs:/i.test(source)) {
    if (modelId) throw notContained(source, 'model_id');
    return fromRunsUri(store, source, runId);
  }

  // A location: inside the logged model's (model_id) or else the run's (run_id) own artifacts.
  if (modelId) {
    const model = await store.getLoggedModel(modelId);
    if (!model) throw notContained(source, 'model_id');
    if (pathBelow(source, model.artifactLocation) === undefined) throw (isLocal(source) ? localNotContained : notContained)(source, 'model_id');
    return { source, runId: runId ?? model.sourceRunId, modelId, storageLocation: source };
  }
  const run = runId ? await store.getRunInfo(runId) : undefined;
  if (!run || pathBelow(source, run.artifactUri) === undefined) throw (isLocal(source) ? localNotContained : notContained)(source, 'run_id');
  return { source, runId, storageLocation: source };
}

async function fromRunsUri(store: SourceReads, source: string, runId: string | undefined): Promise<ResolvedSource> {
  const m = /^runs:\/([^/]+)(?:\/(.*))?$/i.exec(source);
  if (!m || !ENTITY_ID.test(m[1])) throw notContained(source, 'run_id');
  const [, sourceRun, rest = ''] = m;
  if (runId && runId !== sourceRun) throw notContained(source, 'run_id');
  const rel = checkRequestedPath(rest.replace(/\/+$/, ''));
  const run = await store.getRunInfo(sourceRun);
  if (!run) throw notContained(source, 'run_id');
  return { source, runId: sourceRun, storageLocation: join(run.artifactUri, rel) };
}

async function fromModelsUri(store: SourceReads, source: string, runId: string | undefined, modelId: string | undefined): Promise<ResolvedSource> {
  const body = /^models:\/([^/].*)$/i.exec(source)?.[1];
  if (body === undefined) throw notContained(source, 'model_id');

  // models:/<logged model id>: the logged model's own location (an id's characters are all safe).
  if (/^m-[\w-]+$/.test(body)) {
    if (!modelId || modelId !== body) throw notContained(source, 'model_id');
    const model = await store.getLoggedModel(body);
    if (!model) throw notContained(source, 'model_id');
    return { source, runId: runId ?? model.sourceRunId, modelId, storageLocation: model.artifactLocation };
  }

  // models:/<name>/<version or stage or latest> and models:/<name>@<alias>: another version's files.
  const at = body.lastIndexOf('@');
  const slash = body.indexOf('/');
  let name: string;
  let found: ModelVersion | undefined;
  if (at > 0 && slash < 0) {
    name = checkModelName(body.slice(0, at));
    const alias = body.slice(at + 1);
    found = isLatestAlias(alias) ? await store.newestModelVersion(name) : await store.modelVersionByAlias(name, checkAliasName(alias));
  } else if (slash > 0 && body.indexOf('/', slash + 1) < 0) {
    name = checkModelName(body.slice(0, slash));
    const which = body.slice(slash + 1);
    const stage = stageNamed(which);
    if (isLatestAlias(which)) found = await store.newestModelVersion(name);
    else if (stage) found = (await store.latestModelVersions(name, [stage]))[0];
    else found = await store.getModelVersion(name, checkVersion(which));
  } else {
    throw notContained(source, 'model_id');
  }
  const registered = await store.getRegisteredModel(name);
  if (registered && hasPromptTag(registered.tags)) {
    throw invalid(`Invalid model version source: '${clip(source)}'. Prompt versions cannot be used as model version sources.`);
  }
  if (!found) throw invalid(`Unable to fetch model from model URI source artifact location '${clip(source)}'.`);
  if ((runId !== undefined && runId !== (found.runId ?? '')) || (modelId !== undefined && modelId !== (found.modelId ?? ''))) {
    throw invalid(`Invalid model version source: '${clip(source)}'. The run_id and model_id request parameters must match the referenced model version.`);
  }
  return {
    source: `models:/${name}/${found.version}`,
    runId: runId ?? found.runId,
    modelId: modelId ?? found.modelId,
    storageLocation: found.storageLocation,
  };
}
