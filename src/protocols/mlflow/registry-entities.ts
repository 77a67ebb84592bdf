/** Registry objects → MLflow's JSON, field for field as its server prints them. */
import type { ModelVersion, RegisteredModel } from '../../core/model';
import type * as wire from './messages';

/** A version always shows its stage, description and run link, empty or not, as MLflow's answers do. */
export function modelVersionJson(v: ModelVersion): wire.ModelVersion {
  return {
    name: v.name,
    version: v.version,
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    user_id: v.userId || undefined,
    current_stage: v.currentStage,
    description: v.description ?? '',
    source: v.source,
    run_id: v.runId,
    status: v.status,
    status_message: v.statusMessage || undefined,
    tags: v.tags,
    run_link: v.runLink ?? '',
    aliases: v.aliases,
    model_id: v.modelId || undefined,
  };
}

export function registeredModelJson(m: RegisteredModel): wire.RegisteredModel {
  return {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    user_id: m.userId || undefined,
    description: m.description || undefined,
    latest_versions: m.latestVersions.map(modelVersionJson),
    tags: m.tags,
    aliases: m.aliases,
    deployment_job_id: m.deploymentJobId || undefined,
  };
}
