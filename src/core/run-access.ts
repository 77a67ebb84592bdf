/**
 * Who may write which runs. Each account owns one entity; an experiment named `e/p` belongs to
 * entity `e`, any other name to the server's default entity, the workspace MLflow experiments
 * live in, which every account shares. An account writes runs of its own entity's experiments
 * and of the default entity's; any other is refused. Reads are open to every key: the server
 * is one team's, and MLflow's API (which has no accounts) reads everything anyway.
 */
import type { Account } from './accounts';
import { TrackbridgeError } from './errors';
import { clip } from './text';

/** The entity an experiment belongs to; a name without an `entity/` prefix is the default entity's. */
export function entityOfExperimentName(name: string, defaultEntity: string | undefined): string | undefined {
  const slash = name.indexOf('/');
  return slash > 0 && slash < name.length - 1 ? name.slice(0, slash) : defaultEntity;
}

/**
 * Refuses the writer unless the experiment is of its entity or the default one. While no
 * default entity exists (no account yet) unprefixed experiments are no one's, so open.
 */
export function checkWriteAccess(writer: Pick<Account, 'entity'>, experimentName: string, defaultEntity: string | undefined, what: string): void {
  const entity = entityOfExperimentName(experimentName, defaultEntity);
  if (entity === undefined || entity === writer.entity || entity === defaultEntity) return;
  throw new TrackbridgeError('PERMISSION_DENIED',
    `Permission denied: ${clip(what, 120)} belongs to entity '${clip(entity, 80)}'; this key may write only entity '${clip(writer.entity, 80)}'`
    + (defaultEntity !== undefined ? ` and the shared entity '${clip(defaultEntity, 80)}'` : ''));
}
