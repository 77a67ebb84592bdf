/**
 * How W&B's names and states map onto the core (ARCHITECTURE.md, "Identity across tools").
 * This part holds identity: entity/project ↔ experiment name, run ids and the opaque storage ids
 * the client echoes back, states. How config, history, summary and system metrics become params,
 * metric points and documents is in mapping-config.ts and mapping-history.ts.
 */
import type { RunStatus } from '../../core/model';

/** The experiment an entity's project is: `project` for the default entity, `entity/project` for any other. */
export function experimentNameOf(entity: string, project: string, defaultEntity: string | undefined): string {
  return entity === defaultEntity ? project : `${entity}/${project}`;
}

/**
 * The experiments a project may be, the one to use first: projectOf sees an experiment literally
 * named `<default entity>/p` (made through MLflow) as project `p` of the default entity too, so
 * that name is the fallback. The plain `p` comes first because W&B writes go there (experimentNameOf);
 * when both exist, `p` is the one opened.
 */
export function experimentNamesOf(entity: string, project: string, defaultEntity: string | undefined): string[] {
  const name = experimentNameOf(entity, project, defaultEntity);
  return entity === defaultEntity ? [name, `${entity}/${project}`] : [name];
}

/**
 * The entity and project an experiment is seen as: `e/p` is project `p` of entity `e`, any other
 * name (no slash, or one that starts with one) is a project of the default entity.
 */
export function projectOf(experimentName: string, defaultEntity: string): { entity: string; project: string } {
  const slash = experimentName.indexOf('/');
  if (slash > 0 && slash < experimentName.length - 1) {
    return { entity: experimentName.slice(0, slash), project: experimentName.slice(slash + 1) };
  }
  return { entity: defaultEntity, project: experimentName };
}

/** The project a client sends when the user names none. */
export const DEFAULT_PROJECT = 'uncategorized';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** Opaque storage ids, as W&B hands them out (base64 of `Kind:id`); the client sends a run's back on later upserts. */
export const storageId = (kind: 'Run' | 'Project' | 'Entity' | 'User' | 'Artifact' | 'File', id: string) => b64(`${kind}:${id}`);

/** The id inside a storage id of that kind; undefined when the text is not one. */
export function idOfStorageId(kind: string, text: string): string | undefined {
  const plain = unb64(text);
  return plain.startsWith(`${kind}:`) && b64(plain) === text ? plain.slice(kind.length + 1) : undefined;
}

export type WandbState = 'running' | 'finished' | 'failed' | 'crashed' | 'killed' | 'preempting' | 'pending';

/** The status a run ends with, from the exit code its client reports: 255 is W&B's "stopped or killed". */
export function statusOfExitCode(exitCode: number): RunStatus {
  if (exitCode === 0) return 'FINISHED';
  return exitCode === 255 ? 'KILLED' : 'FAILED';
}

/** The state W&B clients read for a status; `crashed` (lost heartbeat) is told apart by a tag, see mapping-config.ts. */
export function stateOfStatus(status: RunStatus): WandbState {
  switch (status) {
    case 'RUNNING': return 'running';
    case 'FINISHED': return 'finished';
    case 'FAILED': return 'failed';
    case 'KILLED': return 'killed';
    case 'SCHEDULED': return 'pending';
  }
}
