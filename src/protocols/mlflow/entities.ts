/** Domain objects → MLflow's JSON field names. */
import type { DatasetSummary, Experiment, MetricPoint, Run, RunInfo } from '../../core/model';
import type { HistoryPoint } from '../../core/store';
import type * as wire from './messages';

export function experimentJson(e: Experiment): wire.Experiment {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: e.tags,
  };
}

export function runInfoJson(i: RunInfo): wire.RunInfo {
  return {
    run_id: i.runId,
    run_uuid: i.runId,
    run_name: i.runName,
    experiment_id: i.experimentId,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    end_time: i.endTime ?? undefined,
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
  };
}

export function metricJson(m: MetricPoint): wire.Metric {
  return { key: m.key, value: m.value, timestamp: m.timestamp, step: m.step };
}

export function historyPointJson(m: HistoryPoint): wire.MetricWithRunId {
  return { key: m.key, value: m.value, timestamp: m.timestamp, step: m.step, run_id: m.runId };
}

export function runJson(r: Run): wire.Run {
  return {
    info: runInfoJson(r.info),
    data: { metrics: r.metrics.map(metricJson), params: r.params, tags: r.tags },
    inputs: {
      dataset_inputs: r.datasetInputs.map((d) => ({
        tags: d.tags,
        dataset: {
          name: d.dataset.name, digest: d.dataset.digest, source_type: d.dataset.sourceType,
          source: d.dataset.source, schema: d.dataset.schema, profile: d.dataset.profile,
        },
      })),
      model_inputs: r.modelInputs.map((m) => ({ model_id: m.modelId })),
    },
    outputs: { model_outputs: r.modelOutputs.map((m) => ({ model_id: m.modelId, step: m.step })) },
  };
}

export function datasetSummaryJson(d: DatasetSummary): wire.DatasetSummary {
  return { experiment_id: d.experimentId, name: d.name, digest: d.digest, context: d.context };
}
