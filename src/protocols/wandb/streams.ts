/**
 * The file names a W&B client streams a run's data under (file_stream), and the counts and reads
 * of those streams: one name each, so that the writer and every reader agree.
 */
export const HISTORY_STREAM = 'wandb-history.jsonl';
export const EVENTS_STREAM = 'wandb-events.jsonl';
export const SUMMARY_FILE = 'wandb-summary.json';
export const CONSOLE_STREAM = 'output.log';
