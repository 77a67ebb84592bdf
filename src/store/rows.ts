/** Row → domain mappers. Drivers disagree on bigint types, so every number goes through Number(). */
import type { Experiment, OriginKind, OriginRecord, RunInfo, RunStatus, Tag } from '../core/model';
import { type Int64, toInt64 } from '../core/int64';

/** A stored int64 (bigint, decimal string or number, by driver) as the domain's exact Int64. */
export function int64Of(v: unknown): Int64 {
  return toInt64(v) ?? Number(v);
}

export function experimentFromRows(row: any, tags: Tag[]): Experiment {
  return {
    experimentId: String(row.experiment_id),
    name: row.name,
    artifactLocation: row.artifact_location,
    lifecycleStage: row.lifecycle_stage,
    creationTime: Number(row.creation_time),
    lastUpdateTime: Number(row.last_update_time),
    tags: tags.map((t) => ({ key: t.key, value: t.value })),
  };
}

export function runInfoFromRow(row: any): RunInfo {
  return {
    runId: row.run_uuid,
    experimentId: String(row.experiment_id),
    runName: row.name,
    userId: row.user_id,
    status: row.status as RunStatus,
    startTime: Number(row.start_time),
    endTime: row.end_time === null || row.end_time === undefined ? null : Number(row.end_time),
    artifactUri: row.artifact_uri,
    lifecycleStage: row.lifecycle_stage,
  };
}

export function originFromRow(row: any): OriginRecord {
  return {
    kind: row.kind as OriginKind,
    localId: String(row.local_id),
    system: row.system,
    id: row.origin_id,
    ...(row.url === null || row.url === undefined ? {} : { url: row.url }),
    firstIngestTime: Number(row.first_ingest_time),
    lastIngestTime: Number(row.last_ingest_time),
  };
}
