/**
 * Generated from proto/mlflow/*.proto by scripts/proto-types.ts; do not edit by hand.
 * Regenerate with `npx tsx scripts/proto-types.ts` (test/proto-types.test.ts fails while it is stale).
 *
 * Field names are the snake_case names of the .proto, as the codec decodes and encodes them.
 * A field may be absent (`?`; the codec leaves out empty lists too) unless the .proto marks it
 * proto2 `required` or, in a request, (trackbridge.required), which the router checks first.
 * int64 is the core's Int64, enums are their value names, a nested message is Outer_Inner.
 */

import type { Int64 } from '../../core/int64';

/** mlflow.CreateExperiment */
export interface CreateExperiment {
  name: string;
  artifact_location?: string;
  tags?: ExperimentTag[];
}

/** mlflow.CreateExperiment.Response */
export interface CreateExperiment_Response {
  experiment_id?: string;
}

/** mlflow.SearchExperiments */
export interface SearchExperiments {
  max_results?: Int64;
  page_token?: string;
  filter?: string;
  order_by?: string[];
  view_type?: ViewType;
}

/** mlflow.SearchExperiments.Response */
export interface SearchExperiments_Response {
  experiments?: Experiment[];
  next_page_token?: string;
}

/** mlflow.GetExperiment */
export interface GetExperiment {
  experiment_id: string;
}

/** mlflow.GetExperiment.Response */
export interface GetExperiment_Response {
  experiment?: Experiment;
}

/** mlflow.GetExperimentByName */
export interface GetExperimentByName {
  experiment_name: string;
}

/** mlflow.GetExperimentByName.Response */
export interface GetExperimentByName_Response {
  experiment?: Experiment;
}

/** mlflow.DeleteExperiment */
export interface DeleteExperiment {
  experiment_id: string;
}

/** mlflow.DeleteExperiment.Response */
export type DeleteExperiment_Response = Record<string, never>;

/** mlflow.RestoreExperiment */
export interface RestoreExperiment {
  experiment_id: string;
}

/** mlflow.RestoreExperiment.Response */
export type RestoreExperiment_Response = Record<string, never>;

/** mlflow.UpdateExperiment */
export interface UpdateExperiment {
  experiment_id: string;
  new_name: string;
}

/** mlflow.UpdateExperiment.Response */
export type UpdateExperiment_Response = Record<string, never>;

/** mlflow.SetExperimentTag */
export interface SetExperimentTag {
  experiment_id: string;
  key: string;
  value?: string;
}

/** mlflow.SetExperimentTag.Response */
export type SetExperimentTag_Response = Record<string, never>;

/** mlflow.DeleteExperimentTag */
export interface DeleteExperimentTag {
  experiment_id: string;
  key: string;
}

/** mlflow.DeleteExperimentTag.Response */
export type DeleteExperimentTag_Response = Record<string, never>;

/** mlflow.CreateRun */
export interface CreateRun {
  experiment_id?: string;
  user_id?: string;
  run_name?: string;
  start_time?: Int64;
  tags?: RunTag[];
}

/** mlflow.CreateRun.Response */
export interface CreateRun_Response {
  run?: Run;
}

/** mlflow.UpdateRun */
export interface UpdateRun {
  run_uuid?: string;
  status?: RunStatus;
  end_time?: Int64;
  run_id?: string;
  run_name?: string;
}

/** mlflow.UpdateRun.Response */
export interface UpdateRun_Response {
  run_info?: RunInfo;
}

/** mlflow.DeleteRun */
export interface DeleteRun {
  run_id: string;
}

/** mlflow.DeleteRun.Response */
export type DeleteRun_Response = Record<string, never>;

/** mlflow.RestoreRun */
export interface RestoreRun {
  run_id: string;
}

/** mlflow.RestoreRun.Response */
export type RestoreRun_Response = Record<string, never>;

/** mlflow.LogMetric */
export interface LogMetric {
  run_uuid?: string;
  key: string;
  value: number;
  timestamp: Int64;
  step?: Int64;
  run_id?: string;
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

/** mlflow.LogMetric.Response */
export type LogMetric_Response = Record<string, never>;

/** mlflow.LogParam */
export interface LogParam {
  run_uuid?: string;
  key: string;
  value?: string;
  run_id?: string;
}

/** mlflow.LogParam.Response */
export type LogParam_Response = Record<string, never>;

/** mlflow.SetTag */
export interface SetTag {
  run_uuid?: string;
  key: string;
  value?: string;
  run_id?: string;
}

/** mlflow.SetTag.Response */
export type SetTag_Response = Record<string, never>;

/** mlflow.DeleteTag */
export interface DeleteTag {
  run_id: string;
  key: string;
}

/** mlflow.DeleteTag.Response */
export type DeleteTag_Response = Record<string, never>;

/** mlflow.GetRun */
export interface GetRun {
  run_uuid?: string;
  run_id?: string;
}

/** mlflow.GetRun.Response */
export interface GetRun_Response {
  run?: Run;
}

/** mlflow.SearchRuns */
export interface SearchRuns {
  experiment_ids?: string[];
  run_view_type?: ViewType;
  filter?: string;
  max_results?: number;
  order_by?: string[];
  page_token?: string;
}

/** mlflow.SearchRuns.Response */
export interface SearchRuns_Response {
  runs?: Run[];
  next_page_token?: string;
}

/** mlflow.LogBatch */
export interface LogBatch {
  run_id: string;
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

/** mlflow.LogBatch.Response */
export type LogBatch_Response = Record<string, never>;

/** mlflow.LogModel */
export interface LogModel {
  run_id: string;
  model_json: string;
}

/** mlflow.LogModel.Response */
export type LogModel_Response = Record<string, never>;

/** mlflow.LogInputs */
export interface LogInputs {
  run_id: string;
  datasets?: DatasetInput[];
  models?: ModelInput[];
}

/** mlflow.LogInputs.Response */
export type LogInputs_Response = Record<string, never>;

/** mlflow.LogOutputs */
export interface LogOutputs {
  run_id: string;
  models: ModelOutput[];
}

/** mlflow.LogOutputs.Response */
export type LogOutputs_Response = Record<string, never>;

/** mlflow.SearchDatasets */
export interface SearchDatasets {
  experiment_ids?: string[];
}

/** mlflow.SearchDatasets.Response */
export interface SearchDatasets_Response {
  dataset_summaries?: DatasetSummary[];
}

/** mlflow.GetMetricHistory */
export interface GetMetricHistory {
  run_uuid?: string;
  metric_key: string;
  run_id?: string;
  page_token?: string;
  max_results?: number;
}

/** mlflow.GetMetricHistory.Response */
export interface GetMetricHistory_Response {
  metrics?: Metric[];
  next_page_token?: string;
}

/** mlflow.GetMetricHistoryBulkInterval */
export interface GetMetricHistoryBulkInterval {
  run_ids: string[];
  metric_key: string;
  start_step?: number;
  end_step?: number;
  max_results?: number;
}

/** mlflow.GetMetricHistoryBulkInterval.Response */
export interface GetMetricHistoryBulkInterval_Response {
  metrics?: MetricWithRunId[];
}

/** mlflow.GetMetricHistoryBulk */
export interface GetMetricHistoryBulk {
  run_id?: string[];
  metric_key?: string;
  max_results?: number;
}

/** mlflow.GetMetricHistoryBulk.Response */
export interface GetMetricHistoryBulk_Response {
  metrics?: MetricWithRunId[];
}

/** mlflow.ListArtifacts */
export interface ListArtifacts {
  run_id?: string;
  run_uuid?: string;
  path?: string;
  page_token?: string;
}

/** mlflow.ListArtifacts.Response */
export interface ListArtifacts_Response {
  root_uri?: string;
  files?: FileInfo[];
  next_page_token?: string;
}

/** mlflow.CreateLoggedModel */
export interface CreateLoggedModel {
  experiment_id: string;
  name?: string;
  model_type?: string;
  source_run_id?: string;
  params?: LoggedModelParameter[];
  tags?: LoggedModelTag[];
}

/** mlflow.CreateLoggedModel.Response */
export interface CreateLoggedModel_Response {
  model?: LoggedModel;
}

/** mlflow.FinalizeLoggedModel */
export interface FinalizeLoggedModel {
  model_id: string;
  status: LoggedModelStatus;
}

/** mlflow.FinalizeLoggedModel.Response */
export interface FinalizeLoggedModel_Response {
  model?: LoggedModel;
}

/** mlflow.GetLoggedModel */
export interface GetLoggedModel {
  model_id: string;
}

/** mlflow.GetLoggedModel.Response */
export interface GetLoggedModel_Response {
  model?: LoggedModel;
}

/** mlflow.DeleteLoggedModel */
export interface DeleteLoggedModel {
  model_id: string;
}

/** mlflow.DeleteLoggedModel.Response */
export type DeleteLoggedModel_Response = Record<string, never>;

/** mlflow.SearchLoggedModels */
export interface SearchLoggedModels {
  experiment_ids?: string[];
  filter?: string;
  max_results?: number;
  order_by?: SearchLoggedModels_OrderBy[];
  page_token?: string;
  datasets?: SearchLoggedModels_Dataset[];
}

/** mlflow.SearchLoggedModels.Dataset */
export interface SearchLoggedModels_Dataset {
  dataset_name?: string;
  dataset_digest?: string;
}

/** mlflow.SearchLoggedModels.OrderBy */
export interface SearchLoggedModels_OrderBy {
  field_name?: string;
  ascending?: boolean;
  dataset_name?: string;
  dataset_digest?: string;
}

/** mlflow.SearchLoggedModels.Response */
export interface SearchLoggedModels_Response {
  models?: LoggedModel[];
  next_page_token?: string;
}

/** mlflow.SetLoggedModelTags */
export interface SetLoggedModelTags {
  model_id: string;
  tags?: LoggedModelTag[];
}

/** mlflow.SetLoggedModelTags.Response */
export interface SetLoggedModelTags_Response {
  model?: LoggedModel;
}

/** mlflow.DeleteLoggedModelTag */
export interface DeleteLoggedModelTag {
  model_id: string;
  tag_key: string;
}

/** mlflow.DeleteLoggedModelTag.Response */
export type DeleteLoggedModelTag_Response = Record<string, never>;

/** mlflow.LogLoggedModelParams */
export interface LogLoggedModelParams {
  model_id: string;
  params?: LoggedModelParameter[];
}

/** mlflow.LogLoggedModelParams.Response */
export type LogLoggedModelParams_Response = Record<string, never>;

/** mlflow.ListLoggedModelArtifacts */
export interface ListLoggedModelArtifacts {
  model_id: string;
  artifact_directory_path?: string;
  page_token?: string;
}

/** mlflow.ListLoggedModelArtifacts.Response */
export interface ListLoggedModelArtifacts_Response {
  root_uri?: string;
  files?: FileInfo[];
  next_page_token?: string;
}

/** mlflow.ViewType */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** mlflow.RunStatus */
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** mlflow.ExperimentTag */
export interface ExperimentTag {
  key?: string;
  value?: string;
}

/** mlflow.Experiment */
export interface Experiment {
  experiment_id?: string;
  name?: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  last_update_time?: Int64;
  creation_time?: Int64;
  tags?: ExperimentTag[];
}

/** mlflow.Metric */
export interface Metric {
  key?: string;
  value?: number;
  timestamp?: Int64;
  step?: Int64;
  dataset_name?: string;
  dataset_digest?: string;
  model_id?: string;
  run_id?: string;
}

/** mlflow.MetricWithRunId */
export interface MetricWithRunId {
  key?: string;
  value?: number;
  timestamp?: Int64;
  step?: Int64;
  run_id?: string;
}

/** mlflow.Param */
export interface Param {
  key?: string;
  value?: string;
}

/** mlflow.RunTag */
export interface RunTag {
  key?: string;
  value?: string;
}

/** mlflow.RunInfo */
export interface RunInfo {
  run_uuid?: string;
  experiment_id?: string;
  run_name?: string;
  user_id?: string;
  status?: RunStatus;
  start_time?: Int64;
  end_time?: Int64;
  artifact_uri?: string;
  lifecycle_stage?: string;
  run_id?: string;
}

/** mlflow.RunData */
export interface RunData {
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

/** mlflow.Dataset */
export interface Dataset {
  name?: string;
  digest?: string;
  source_type?: string;
  source?: string;
  schema?: string;
  profile?: string;
}

/** mlflow.InputTag */
export interface InputTag {
  key?: string;
  value?: string;
}

/** mlflow.DatasetInput */
export interface DatasetInput {
  tags?: InputTag[];
  dataset?: Dataset;
}

/** mlflow.ModelInput */
export interface ModelInput {
  model_id?: string;
}

/** mlflow.ModelOutput */
export interface ModelOutput {
  model_id?: string;
  step?: Int64;
}

/** mlflow.RunInputs */
export interface RunInputs {
  dataset_inputs?: DatasetInput[];
  model_inputs?: ModelInput[];
}

/** mlflow.RunOutputs */
export interface RunOutputs {
  model_outputs?: ModelOutput[];
}

/** mlflow.Run */
export interface Run {
  info?: RunInfo;
  data?: RunData;
  inputs?: RunInputs;
  outputs?: RunOutputs;
}

/** mlflow.FileInfo */
export interface FileInfo {
  path?: string;
  is_dir?: boolean;
  file_size?: Int64;
}

/** mlflow.DatasetSummary */
export interface DatasetSummary {
  experiment_id?: string;
  name?: string;
  digest?: string;
  context?: string;
}

/** mlflow.LoggedModelStatus */
export type LoggedModelStatus = 'LOGGED_MODEL_STATUS_UNSPECIFIED' | 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';

/** mlflow.LoggedModelTag */
export interface LoggedModelTag {
  key?: string;
  value?: string;
}

/** mlflow.LoggedModelParameter */
export interface LoggedModelParameter {
  key?: string;
  value?: string;
}

/** mlflow.LoggedModelRegistrationInfo */
export interface LoggedModelRegistrationInfo {
  name?: string;
  version?: string;
}

/** mlflow.LoggedModelInfo */
export interface LoggedModelInfo {
  model_id?: string;
  experiment_id?: string;
  name?: string;
  creation_timestamp_ms?: Int64;
  last_updated_timestamp_ms?: Int64;
  artifact_uri?: string;
  status?: LoggedModelStatus;
  creator_id?: Int64;
  model_type?: string;
  source_run_id?: string;
  status_message?: string;
  tags?: LoggedModelTag[];
  registrations?: LoggedModelRegistrationInfo[];
}

/** mlflow.LoggedModelData */
export interface LoggedModelData {
  params?: LoggedModelParameter[];
  metrics?: Metric[];
}

/** mlflow.LoggedModel */
export interface LoggedModel {
  info?: LoggedModelInfo;
  data?: LoggedModelData;
}

/** mlflow.ModelVersionStatus */
export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

/** mlflow.DeploymentJobConnection */
export type DeploymentJobConnection = Record<string, never>;

/** mlflow.DeploymentJobConnection.State */
export type DeploymentJobConnection_State = 'DEPLOYMENT_JOB_CONNECTION_STATE_UNSPECIFIED' | 'NOT_SET_UP' | 'CONNECTED' | 'NOT_FOUND' | 'REQUIRED_PARAMETERS_CHANGED';

/** mlflow.ModelVersionDeploymentJobState */
export interface ModelVersionDeploymentJobState {
  job_id?: string;
  run_id?: string;
  job_state?: DeploymentJobConnection_State;
  run_state?: ModelVersionDeploymentJobState_DeploymentJobRunState;
  current_task_name?: string;
}

/** mlflow.ModelVersionDeploymentJobState.DeploymentJobRunState */
export type ModelVersionDeploymentJobState_DeploymentJobRunState = 'DEPLOYMENT_JOB_RUN_STATE_UNSPECIFIED' | 'NO_VALID_DEPLOYMENT_JOB_FOUND' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'APPROVAL';

/** mlflow.RegisteredModelTag */
export interface RegisteredModelTag {
  key?: string;
  value?: string;
}

/** mlflow.ModelVersionTag */
export interface ModelVersionTag {
  key?: string;
  value?: string;
}

/** mlflow.RegisteredModelAlias */
export interface RegisteredModelAlias {
  alias?: string;
  version?: string;
}

/** mlflow.ModelParam */
export interface ModelParam {
  name?: string;
  value?: string;
}

/** mlflow.ModelMetric */
export interface ModelMetric {
  key?: string;
  value?: number;
  timestamp?: Int64;
  step?: Int64;
  dataset_name?: string;
  dataset_digest?: string;
  model_id?: string;
  run_id?: string;
}

/** mlflow.ModelVersion */
export interface ModelVersion {
  name?: string;
  version?: string;
  creation_timestamp?: Int64;
  last_updated_timestamp?: Int64;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: ModelVersionStatus;
  status_message?: string;
  tags?: ModelVersionTag[];
  run_link?: string;
  aliases?: string[];
  model_id?: string;
  model_params?: ModelParam[];
  model_metrics?: ModelMetric[];
  deployment_job_state?: ModelVersionDeploymentJobState;
}

/** mlflow.RegisteredModel */
export interface RegisteredModel {
  name?: string;
  creation_timestamp?: Int64;
  last_updated_timestamp?: Int64;
  user_id?: string;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: RegisteredModelTag[];
  aliases?: RegisteredModelAlias[];
  deployment_job_id?: string;
  deployment_job_state?: DeploymentJobConnection_State;
}

/** mlflow.CreateRegisteredModel */
export interface CreateRegisteredModel {
  name: string;
  tags?: RegisteredModelTag[];
  description?: string;
  deployment_job_id?: string;
}

/** mlflow.CreateRegisteredModel.Response */
export interface CreateRegisteredModel_Response {
  registered_model?: RegisteredModel;
}

/** mlflow.RenameRegisteredModel */
export interface RenameRegisteredModel {
  name: string;
  new_name?: string;
}

/** mlflow.RenameRegisteredModel.Response */
export interface RenameRegisteredModel_Response {
  registered_model?: RegisteredModel;
}

/** mlflow.UpdateRegisteredModel */
export interface UpdateRegisteredModel {
  name: string;
  description?: string;
  deployment_job_id?: string;
}

/** mlflow.UpdateRegisteredModel.Response */
export interface UpdateRegisteredModel_Response {
  registered_model?: RegisteredModel;
}

/** mlflow.DeleteRegisteredModel */
export interface DeleteRegisteredModel {
  name: string;
}

/** mlflow.DeleteRegisteredModel.Response */
export type DeleteRegisteredModel_Response = Record<string, never>;

/** mlflow.GetRegisteredModel */
export interface GetRegisteredModel {
  name: string;
}

/** mlflow.GetRegisteredModel.Response */
export interface GetRegisteredModel_Response {
  registered_model?: RegisteredModel;
}

/** mlflow.SearchRegisteredModels */
export interface SearchRegisteredModels {
  filter?: string;
  max_results?: Int64;
  order_by?: string[];
  page_token?: string;
}

/** mlflow.SearchRegisteredModels.Response */
export interface SearchRegisteredModels_Response {
  registered_models?: RegisteredModel[];
  next_page_token?: string;
}

/** mlflow.GetLatestVersions */
export interface GetLatestVersions {
  name: string;
  stages?: string[];
}

/** mlflow.GetLatestVersions.Response */
export interface GetLatestVersions_Response {
  model_versions?: ModelVersion[];
}

/** mlflow.SetRegisteredModelTag */
export interface SetRegisteredModelTag {
  name: string;
  key: string;
  value?: string;
}

/** mlflow.SetRegisteredModelTag.Response */
export type SetRegisteredModelTag_Response = Record<string, never>;

/** mlflow.DeleteRegisteredModelTag */
export interface DeleteRegisteredModelTag {
  name: string;
  key: string;
}

/** mlflow.DeleteRegisteredModelTag.Response */
export type DeleteRegisteredModelTag_Response = Record<string, never>;

/** mlflow.SetRegisteredModelAlias */
export interface SetRegisteredModelAlias {
  name: string;
  alias: string;
  version: string;
}

/** mlflow.SetRegisteredModelAlias.Response */
export type SetRegisteredModelAlias_Response = Record<string, never>;

/** mlflow.DeleteRegisteredModelAlias */
export interface DeleteRegisteredModelAlias {
  name: string;
  alias: string;
}

/** mlflow.DeleteRegisteredModelAlias.Response */
export type DeleteRegisteredModelAlias_Response = Record<string, never>;

/** mlflow.GetModelVersionByAlias */
export interface GetModelVersionByAlias {
  name: string;
  alias: string;
}

/** mlflow.GetModelVersionByAlias.Response */
export interface GetModelVersionByAlias_Response {
  model_version?: ModelVersion;
}

/** mlflow.CreateModelVersion */
export interface CreateModelVersion {
  name: string;
  source: string;
  run_id?: string;
  tags?: ModelVersionTag[];
  run_link?: string;
  description?: string;
  model_id?: string;
}

/** mlflow.CreateModelVersion.Response */
export interface CreateModelVersion_Response {
  model_version?: ModelVersion;
}

/** mlflow.UpdateModelVersion */
export interface UpdateModelVersion {
  name: string;
  version: string;
  description?: string;
}

/** mlflow.UpdateModelVersion.Response */
export interface UpdateModelVersion_Response {
  model_version?: ModelVersion;
}

/** mlflow.TransitionModelVersionStage */
export interface TransitionModelVersionStage {
  name: string;
  version: string;
  stage: string;
  archive_existing_versions?: boolean;
}

/** mlflow.TransitionModelVersionStage.Response */
export interface TransitionModelVersionStage_Response {
  model_version?: ModelVersion;
}

/** mlflow.DeleteModelVersion */
export interface DeleteModelVersion {
  name: string;
  version: string;
}

/** mlflow.DeleteModelVersion.Response */
export type DeleteModelVersion_Response = Record<string, never>;

/** mlflow.GetModelVersion */
export interface GetModelVersion {
  name: string;
  version: string;
}

/** mlflow.GetModelVersion.Response */
export interface GetModelVersion_Response {
  model_version?: ModelVersion;
}

/** mlflow.SearchModelVersions */
export interface SearchModelVersions {
  filter?: string;
  max_results?: Int64;
  order_by?: string[];
  page_token?: string;
}

/** mlflow.SearchModelVersions.Response */
export interface SearchModelVersions_Response {
  model_versions?: ModelVersion[];
  next_page_token?: string;
}

/** mlflow.GetModelVersionDownloadUri */
export interface GetModelVersionDownloadUri {
  name: string;
  version: string;
}

/** mlflow.GetModelVersionDownloadUri.Response */
export interface GetModelVersionDownloadUri_Response {
  artifact_uri?: string;
}

/** mlflow.SetModelVersionTag */
export interface SetModelVersionTag {
  name: string;
  version: string;
  key: string;
  value?: string;
}

/** mlflow.SetModelVersionTag.Response */
export type SetModelVersionTag_Response = Record<string, never>;

/** mlflow.DeleteModelVersionTag */
export interface DeleteModelVersionTag {
  name: string;
  version: string;
  key: string;
}

/** mlflow.DeleteModelVersionTag.Response */
export type DeleteModelVersionTag_Response = Record<string, never>;

/** mlflow.WebhookStatus */
export type WebhookStatus = 'ACTIVE' | 'DISABLED';

/** mlflow.WebhookEntity */
export type WebhookEntity = 'ENTITY_UNSPECIFIED' | 'REGISTERED_MODEL' | 'MODEL_VERSION' | 'MODEL_VERSION_TAG' | 'MODEL_VERSION_ALIAS' | 'PROMPT' | 'PROMPT_VERSION' | 'PROMPT_TAG' | 'PROMPT_VERSION_TAG' | 'PROMPT_ALIAS' | 'BUDGET_POLICY';

/** mlflow.WebhookAction */
export type WebhookAction = 'ACTION_UNSPECIFIED' | 'CREATED' | 'UPDATED' | 'DELETED' | 'SET' | 'EXCEEDED';

/** mlflow.WebhookEvent */
export interface WebhookEvent {
  entity?: WebhookEntity;
  action?: WebhookAction;
}

/** mlflow.Webhook */
export interface Webhook {
  webhook_id?: string;
  name?: string;
  description?: string;
  url?: string;
  events?: WebhookEvent[];
  status?: WebhookStatus;
  creation_timestamp?: Int64;
  last_updated_timestamp?: Int64;
}

/** mlflow.WebhookTestResult */
export interface WebhookTestResult {
  success?: boolean;
  response_status?: number;
  response_body?: string;
  error_message?: string;
}

/** mlflow.CreateWebhook */
export interface CreateWebhook {
  name: string;
  description?: string;
  url: string;
  events: WebhookEvent[];
  secret?: string;
  status?: WebhookStatus;
}

/** mlflow.CreateWebhook.Response */
export interface CreateWebhook_Response {
  webhook?: Webhook;
}

/** mlflow.ListWebhooks */
export interface ListWebhooks {
  max_results?: number;
  page_token?: string;
}

/** mlflow.ListWebhooks.Response */
export interface ListWebhooks_Response {
  webhooks?: Webhook[];
  next_page_token?: string;
}

/** mlflow.GetWebhook */
export interface GetWebhook {
  webhook_id: string;
}

/** mlflow.GetWebhook.Response */
export interface GetWebhook_Response {
  webhook?: Webhook;
}

/** mlflow.UpdateWebhook */
export interface UpdateWebhook {
  webhook_id: string;
  name?: string;
  description?: string;
  url?: string;
  events?: WebhookEvent[];
  secret?: string;
  status?: WebhookStatus;
}

/** mlflow.UpdateWebhook.Response */
export interface UpdateWebhook_Response {
  webhook?: Webhook;
}

/** mlflow.DeleteWebhook */
export interface DeleteWebhook {
  webhook_id: string;
}

/** mlflow.DeleteWebhook.Response */
export type DeleteWebhook_Response = Record<string, never>;

/** mlflow.TestWebhook */
export interface TestWebhook {
  webhook_id: string;
  event?: WebhookEvent;
}

/** mlflow.TestWebhook.Response */
export interface TestWebhook_Response {
  result?: WebhookTestResult;
}

/** mlflow.MlflowService: each method's request and response. */
export interface MlflowServiceMethods {
  createExperiment: { request: CreateExperiment; response: CreateExperiment_Response };
  searchExperiments: { request: SearchExperiments; response: SearchExperiments_Response };
  getExperiment: { request: GetExperiment; response: GetExperiment_Response };
  getExperimentByName: { request: GetExperimentByName; response: GetExperimentByName_Response };
  deleteExperiment: { request: DeleteExperiment; response: DeleteExperiment_Response };
  restoreExperiment: { request: RestoreExperiment; response: RestoreExperiment_Response };
  updateExperiment: { request: UpdateExperiment; response: UpdateExperiment_Response };
  setExperimentTag: { request: SetExperimentTag; response: SetExperimentTag_Response };
  deleteExperimentTag: { request: DeleteExperimentTag; response: DeleteExperimentTag_Response };
  searchDatasets: { request: SearchDatasets; response: SearchDatasets_Response };
  createRun: { request: CreateRun; response: CreateRun_Response };
  updateRun: { request: UpdateRun; response: UpdateRun_Response };
  deleteRun: { request: DeleteRun; response: DeleteRun_Response };
  restoreRun: { request: RestoreRun; response: RestoreRun_Response };
  logMetric: { request: LogMetric; response: LogMetric_Response };
  logParam: { request: LogParam; response: LogParam_Response };
  setTag: { request: SetTag; response: SetTag_Response };
  deleteTag: { request: DeleteTag; response: DeleteTag_Response };
  getRun: { request: GetRun; response: GetRun_Response };
  searchRuns: { request: SearchRuns; response: SearchRuns_Response };
  logBatch: { request: LogBatch; response: LogBatch_Response };
  logModel: { request: LogModel; response: LogModel_Response };
  logInputs: { request: LogInputs; response: LogInputs_Response };
  logOutputs: { request: LogOutputs; response: LogOutputs_Response };
  getMetricHistory: { request: GetMetricHistory; response: GetMetricHistory_Response };
  getMetricHistoryBulkInterval: { request: GetMetricHistoryBulkInterval; response: GetMetricHistoryBulkInterval_Response };
  getMetricHistoryBulk: { request: GetMetricHistoryBulk; response: GetMetricHistoryBulk_Response };
  listArtifacts: { request: ListArtifacts; response: ListArtifacts_Response };
  createLoggedModel: { request: CreateLoggedModel; response: CreateLoggedModel_Response };
  searchLoggedModels: { request: SearchLoggedModels; response: SearchLoggedModels_Response };
  finalizeLoggedModel: { request: FinalizeLoggedModel; response: FinalizeLoggedModel_Response };
  getLoggedModel: { request: GetLoggedModel; response: GetLoggedModel_Response };
  deleteLoggedModel: { request: DeleteLoggedModel; response: DeleteLoggedModel_Response };
  setLoggedModelTags: { request: SetLoggedModelTags; response: SetLoggedModelTags_Response };
  deleteLoggedModelTag: { request: DeleteLoggedModelTag; response: DeleteLoggedModelTag_Response };
  logLoggedModelParams: { request: LogLoggedModelParams; response: LogLoggedModelParams_Response };
  listLoggedModelArtifacts: { request: ListLoggedModelArtifacts; response: ListLoggedModelArtifacts_Response };
}

/** mlflow.ModelRegistryService: each method's request and response. */
export interface ModelRegistryServiceMethods {
  createRegisteredModel: { request: CreateRegisteredModel; response: CreateRegisteredModel_Response };
  renameRegisteredModel: { request: RenameRegisteredModel; response: RenameRegisteredModel_Response };
  updateRegisteredModel: { request: UpdateRegisteredModel; response: UpdateRegisteredModel_Response };
  deleteRegisteredModel: { request: DeleteRegisteredModel; response: DeleteRegisteredModel_Response };
  getRegisteredModel: { request: GetRegisteredModel; response: GetRegisteredModel_Response };
  searchRegisteredModels: { request: SearchRegisteredModels; response: SearchRegisteredModels_Response };
  getLatestVersions: { request: GetLatestVersions; response: GetLatestVersions_Response };
  createModelVersion: { request: CreateModelVersion; response: CreateModelVersion_Response };
  updateModelVersion: { request: UpdateModelVersion; response: UpdateModelVersion_Response };
  transitionModelVersionStage: { request: TransitionModelVersionStage; response: TransitionModelVersionStage_Response };
  deleteModelVersion: { request: DeleteModelVersion; response: DeleteModelVersion_Response };
  getModelVersion: { request: GetModelVersion; response: GetModelVersion_Response };
  searchModelVersions: { request: SearchModelVersions; response: SearchModelVersions_Response };
  getModelVersionDownloadUri: { request: GetModelVersionDownloadUri; response: GetModelVersionDownloadUri_Response };
  setRegisteredModelTag: { request: SetRegisteredModelTag; response: SetRegisteredModelTag_Response };
  setModelVersionTag: { request: SetModelVersionTag; response: SetModelVersionTag_Response };
  deleteRegisteredModelTag: { request: DeleteRegisteredModelTag; response: DeleteRegisteredModelTag_Response };
  deleteModelVersionTag: { request: DeleteModelVersionTag; response: DeleteModelVersionTag_Response };
  setRegisteredModelAlias: { request: SetRegisteredModelAlias; response: SetRegisteredModelAlias_Response };
  deleteRegisteredModelAlias: { request: DeleteRegisteredModelAlias; response: DeleteRegisteredModelAlias_Response };
  getModelVersionByAlias: { request: GetModelVersionByAlias; response: GetModelVersionByAlias_Response };
}

/** mlflow.WebhookService: each method's request and response. */
export interface WebhookServiceMethods {
  createWebhook: { request: CreateWebhook; response: CreateWebhook_Response };
  listWebhooks: { request: ListWebhooks; response: ListWebhooks_Response };
  getWebhook: { request: GetWebhook; response: GetWebhook_Response };
  updateWebhook: { request: UpdateWebhook; response: UpdateWebhook_Response };
  deleteWebhook: { request: DeleteWebhook; response: DeleteWebhook_Response };
  testWebhook: { request: TestWebhook; response: TestWebhook_Response };
}

/** Every service by its full name, as handlers are registered: '<package.Service>/<method>'. */
export interface Services {
  'mlflow.MlflowService': MlflowServiceMethods;
  'mlflow.ModelRegistryService': ModelRegistryServiceMethods;
  'mlflow.WebhookService': WebhookServiceMethods;
}
