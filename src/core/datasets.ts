/** Dataset inputs: the size rules MLflow applies before storing them. */
import { invalid } from './errors';
import { LIMITS } from './limits';
import type { DatasetInput } from './model';

function maxLen(value: string | undefined, max: number, what: string) {
  if (value !== undefined && value.length > max) throw invalid(`Dataset ${what} exceeds the maximum length of ${max}`);
}

export function validateDatasetInputs(inputs: DatasetInput[]): void {
  for (const input of inputs) {
    const d = input.dataset;
    if (!d || !d.name) throw invalid("Missing value for required parameter 'datasets.dataset.name'.");
    if (!d.digest) throw invalid("Missing value for required parameter 'datasets.dataset.digest'.");
    if (!d.sourceType) throw invalid("Missing value for required parameter 'datasets.dataset.source_type'.");
    if (d.source === undefined) throw invalid("Missing value for required parameter 'datasets.dataset.source'.");
    maxLen(d.name, LIMITS.datasetName, 'name');
    maxLen(d.digest, LIMITS.datasetDigest, 'digest');
    maxLen(d.sourceType, LIMITS.datasetSourceType, 'source_type');
    maxLen(d.source, LIMITS.datasetSource, 'source');
    maxLen(d.schema, LIMITS.datasetSchema, 'schema');
    maxLen(d.profile, LIMITS.datasetProfile, 'profile');
    for (const t of input.tags) {
      if (!t.key) throw invalid("Missing value for required parameter 'datasets.tags.key'.");
      if (t.key.length > LIMITS.inputTagKey) throw invalid(`Input tag key exceeds the maximum length of ${LIMITS.inputTagKey}`);
      if ((t.value ?? '').length > LIMITS.inputTagValue) throw invalid(`Input tag value exceeds the maximum length of ${LIMITS.inputTagValue}`);
    }
  }
}
