/**
 * `CreateRunFiles`: upload URLs for a run's files (output.log, wandb-summary.json, media, saved
 * files). The answer lists the files in the order asked, one for one, or the client drops the
 * whole batch; a name that is no safe relative path gets no URL (the client skips that file)
 * and a line in the log. Uploads carry no credentials, so each URL is signed for one file of
 * one run; a name asked for again gets a new URL, and its upload replaces the file.
 */
import { invalid, notFound, TrackbridgeError } from '../../../core/errors';
import { checkArtifactPath } from '../../../core/artifact-paths';
import { clip } from '../../../core/text';
import type { WandbContext } from '../context';
import { DEFAULT_PROJECT, storageId } from '../mapping';
import { RUN_FILE_PUT } from '../run-files';
import { signedUrl } from '../signed-urls';
import type { GraphqlArea } from './area';
import { inputObject, optionalName, optionalStringList, requiredString } from './input-checks';
import { entityOf, findProject } from './sources';


/** The client asks for a few dozen at a time; a run with thousands of media files asks again. */
const MAX_FILES = 10_000;
/** Longer than any path the artifact store holds, so it can only be refused: not read further. */
const MAX_NAME_CHARS = 4096;

const RUN_FILES_SDL = /* GraphQL */ `
extend type Mutation {
  createRunFiles(input: JSON): CreateRunFilesPayload
}

type CreateRunFilesPayload {
  runID: ID
  uploadHeaders: [String]
  files: [RunFileUpload]
}

type RunFileUpload {
  name: String
  uploadUrl: String
}
`;

function safeName(name: string): boolean {
  try {
    return checkArtifactPath(name) === name && name !== '';
  } catch (e) {
    if (e instanceof TrackbridgeError) return false;
    throw e;
  }
}

async function createRunFiles(_: unknown, args: { input?: unknown }, ctx: WandbContext) {
  const input = inputObject(args.input, 'createRunFiles input');
  const entity = entityOf(ctx, optionalName(input, 'entityName'));
  const projectName = optionalName(input, 'projectName') ?? DEFAULT_PROJECT;
  const runId = requiredString(input, 'runName', 200);
  const files = optionalStringList(input, 'files', MAX_FILES, MAX_NAME_CHARS);
  if (files === undefined) throw invalid("Missing value for required field 'files'");
  const project = await findProject(ctx, entity, projectName);
  const run = project && await ctx.tracking.runs.findInfo(runId);
  if (!project || !run || run.experimentId !== project.experiment.experimentId) {
    throw notFound(`Run ${entity}/${projectName}/${clip(runId, 80)} not found`);
  }
  // Uploads replace the run's files: only a key that may write the run gets URLs.
  await ctx.tracking.clientRuns.checkRunWrite(ctx.account, runId);
  const out = await Promise.all(files.map(async (name) => {
    if (!safeName(name)) {
      ctx.log(`createRunFiles: run ${runId}: no upload URL for '${clip(name, 200)}', which is not a safe relative path`);
      return { name, uploadUrl: null };
    }
    return { name, uploadUrl: await signedUrl(ctx, RUN_FILE_PUT, { r: runId, f: name }) };
  }));
  return { runID: storageId('Run', runId), uploadHeaders: [], files: out };
}

export const runFilesArea: GraphqlArea = {
  name: 'run-files',
  sdl: RUN_FILES_SDL,
  operations: ['CreateRunFiles'],
  resolvers: { Mutation: { createRunFiles } },
};
