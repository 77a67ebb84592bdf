/**
 * What resolvers pass each other as a field's source: the core's objects, with the W&B names
 * they are seen under. Every area builds these through the functions here, so a project or a
 * run looks the same whichever operation led to it.
 */
import type { Experiment, Run } from '../../../core/model';
import { DEFAULT_PROJECT, experimentNamesOf, projectOf } from '../mapping';
import type { WandbContext } from '../context';

export interface ProjectSource {
  entity: string;
  name: string;
  experiment: Experiment;
}

export interface RunSource {
  project: ProjectSource;
  run: Run;
}

/** The entity a request means: the one it names, else the caller's own (clients send null, or "" during sync). */
export function entityOf(ctx: WandbContext, named: unknown): string {
  return typeof named === 'string' && named !== '' ? named : ctx.account.entity;
}

/** The project a request means: the one it names, else `uncategorized`, as the client itself defaults. */
export const projectNameOf = (named: unknown): string => (typeof named === 'string' && named !== '' ? named : DEFAULT_PROJECT);

/** The server's default entity; while no user exists (no key was ever issued), the caller's own. */
export async function defaultEntityOf(ctx: WandbContext): Promise<string> {
  return (await ctx.tracking.accounts.defaultEntity()) ?? ctx.account.entity;
}

/** The project of that entity and name, if its experiment exists (active or deleted). */
export async function findProject(ctx: WandbContext, entity: string, name: string): Promise<ProjectSource | null> {
  for (const experimentName of experimentNamesOf(entity, name, await defaultEntityOf(ctx))) {
    const experiment = await ctx.tracking.experiments.findByName(experimentName);
    if (experiment) return { entity, name, experiment };
  }
  return null;
}

/** The project an experiment is seen as. */
export async function projectOfExperiment(ctx: WandbContext, experiment: Experiment): Promise<ProjectSource> {
  const { entity, project } = projectOf(experiment.name, await defaultEntityOf(ctx));
  return { entity, name: project, experiment };
}
