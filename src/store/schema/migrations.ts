/**
 * Schema migrations, in order. Each is a knex migration; names are permanent.
 * The store refuses to open a database that has migrations this code does not know.
 */
import type { Knex } from 'knex';

interface Migration { name: string; up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }

const isSqlite = (k: Knex) => k.client.config.client === 'better-sqlite3' || k.client.config.client === 'sqlite3';

/** MySQL compares text case-insensitively by default; MLflow's semantics are case-sensitive. */
function binaryCollation(k: Knex, t: Knex.CreateTableBuilder) {
  if (k.client.config.client === 'mysql2') {
    t.charset('utf8mb4');
    t.collate('utf8mb4_bin');
  }
}

/** MEDIUMTEXT on MySQL (its TEXT stops at 64 KiB); plain TEXT elsewhere. */
const longText = (t: Knex.CreateTableBuilder, name: string) => t.text(name, 'mediumtext');

const initial: Migration = {
  name: '0001_initial',
  async up(k) {
    await k.schema.createTable('counters', (t) => {
      binaryCollation(k, t);
      t.string('name', 32).primary();
      t.bigInteger('value').notNullable();
    });
    await k.schema.createTable('experiments', (t) => {
      binaryCollation(k, t);
      t.string('experiment_id', 64).primary();
      t.string('name', 500).notNullable().unique({ indexName: 'experiments_name_uq' });
      t.string('artifact_location', 2048).notNullable();
      t.string('lifecycle_stage', 16).notNullable();
      t.bigInteger('creation_time').notNullable();
      t.bigInteger('last_update_time').notNullable();
    });
    await k.schema.createTable('experiment_tags', (t) => {
      binaryCollation(k, t);
      t.string('experiment_id', 64).notNullable();
      t.string('key', 250).notNullable();
      t.string('value', 5000).notNullable();
      t.primary(['experiment_id', 'key']);
    });
    await k.schema.createTable('runs', (t) => {
      binaryCollation(k, t);
      t.increments('rid').primary();
      t.string('run_uuid', 64).notNullable().unique({ indexName: 'runs_uuid_uq' });
      t.string('experiment_id', 64).notNullable();
      t.string('name', 250).notNullable();
      t.string('user_id', 256).notNullable();
      t.string('status', 16).notNullable();
      t.bigInteger('start_time').notNullable();
      t.bigInteger('end_time').nullable();
      t.string('artifact_uri', 2048).notNullable();
      t.string('lifecycle_stage', 16).notNullable();
      t.bigInteger('deleted_time').nullable();
      t.index(['experiment_id', 'lifecycle_stage', 'start_time'], 'runs_experiment_start_idx');
    });
    await k.schema.createTable('params', (t) => {
      binaryCollation(k, t);
      t.integer('rid').notNullable();
      t.string('key', 250).notNullable();
      t.text('value').notNullable();
      t.primary(['rid', 'key']);
    });
    await k.schema.createTable('tags', (t) => {
      binaryCollation(k, t);
      t.integer('rid').notNullable();
      t.string('key', 250).notNullable();
      t.text('value').notNullable();
      t.primary(['rid', 'key']);
    });
    await k.schema.createTable('metric_keys', (t) => {
      binaryCollation(k, t);
      t.increments('key_id').primary();
      t.string('key', 250).notNullable().unique({ indexName: 'metric_keys_key_uq' });
    });
    // One row per point, keyed in history order (MLflow's: timestamp, step, value). `special` keeps what a double column cannot hold everywhere:
    // 0 finite, 1 NaN, 2 +Infinity, 3 -Infinity; `value` then holds 0 / ±MAX so ordering works.
    await k.schema.createTable('metrics', (t) => {
      binaryCollation(k, t);
      t.integer('rid').notNullable();
      t.integer('key_id').notNullable();
      t.bigInteger('step').notNullable();
      t.bigInteger('timestamp').notNullable();
      t.double('value').notNullable();
      t.smallint('special').notNullable();
      t.primary(['rid', 'key_id', 'timestamp', 'step', 'value', 'special']);
    });
    await k.schema.createTable('latest_metrics', (t) => {
      binaryCollation(k, t);
      t.integer('rid').notNullable();
      t.integer('key_id').notNullable();
      t.bigInteger('step').notNullable();
      t.bigInteger('timestamp').notNullable();
      t.double('value').notNullable();
      t.smallint('special').notNullable();
      t.primary(['rid', 'key_id']);
      t.index(['key_id', 'value'], 'latest_metrics_key_value_idx');
    });
    await k.schema.createTable('datasets', (t) => {
      binaryCollation(k, t);
      t.increments('dataset_id').primary();
      t.string('experiment_id', 64).notNullable();
      t.string('name', 500).notNullable();
      t.string('digest', 36).notNullable();
      t.string('source_type', 36).notNullable();
      longText(t, 'source');
      longText(t, 'schema');
      longText(t, 'profile');
      t.unique(['experiment_id', 'name', 'digest'], { indexName: 'datasets_identity_uq' });
    });
    await k.schema.createTable('run_inputs', (t) => {
      binaryCollation(k, t);
      t.integer('rid').notNullable();
      t.integer('dataset_id').notNullable();
      t.text('tags_json').notNullable();
      t.string('context', 500).nullable();
      t.primary(['rid', 'dataset_id']);
      t.index(['dataset_id'], 'run_inputs_dataset_idx');
    });
    await k.schema.createTable('run_models', (t) => {
      binaryCollation(k, t);
      t.integer('rid').notNullable();
      t.string('direction', 8).notNullable();
      t.string('model_id', 64).notNullable();
      t.bigInteger('step').notNullable();
      t.primary(['rid', 'direction', 'model_id']);
    });
    await k('counters').insert({ name: 'experiment', value: 0 });
    if (isSqlite(k)) {
      // The point table is its own primary-key index: half the size, one B-tree to update.
      await k.raw('DROP TABLE metrics');
      await k.raw(`CREATE TABLE metrics (rid INTEGER NOT NULL, key_id INTEGER NOT NULL, step INTEGER NOT NULL,
        timestamp INTEGER NOT NULL, value REAL NOT NULL, special INTEGER NOT NULL,
        PRIMARY KEY (rid, key_id, timestamp, step, value, special)) WITHOUT ROWID`);
    }
  },
  async down(k) {
    for (const t of ['run_models', 'run_inputs', 'datasets', 'latest_metrics', 'metrics', 'metric_keys', 'tags', 'params', 'runs', 'experiment_tags', 'experiments', 'counters']) {
      await k.schema.dropTableIfExists(t);
    }
  },
};

const loggedModels: Migration = {
  name: '0002_logged_models',
  async up(k) {
    await k.schema.createTable('logged_models', (t) => {
      binaryCollation(k, t);
      t.string('model_id', 64).primary();
      t.string('experiment_id', 64).notNullable();
      t.string('name', 500).notNullable();
      t.string('artifact_location', 2048).notNullable();
      t.bigInteger('creation_timestamp').notNullable();
      t.bigInteger('last_updated_timestamp').notNullable();
      t.string('status', 32).notNullable();
      t.text('status_message').nullable();
      t.string('model_type', 500).nullable();
      t.string('source_run_id', 64).nullable();
      t.string('lifecycle_stage', 16).notNullable();
      t.index(['experiment_id', 'creation_timestamp'], 'logged_models_experiment_idx');
    });
    await k.schema.createTable('logged_model_tags', (t) => {
      binaryCollation(k, t);
      t.string('model_id', 64).notNullable();
      t.string('key', 250).notNullable();
      t.text('value').notNullable();
      t.primary(['model_id', 'key']);
    });
    await k.schema.createTable('logged_model_params', (t) => {
      binaryCollation(k, t);
      t.string('model_id', 64).notNullable();
      t.string('key', 250).notNullable();
      t.text('value').notNullable();
      t.primary(['model_id', 'key']);
    });
    await k.schema.createTable('logged_model_metrics', (t) => {
      binaryCollation(k, t);
      t.string('model_id', 64).notNullable();
      t.string('key', 250).notNullable();
      t.bigInteger('step').notNullable();
      t.bigInteger('timestamp').notNullable();
      t.double('value').notNullable();
      t.smallint('special').notNullable();
      t.string('run_id', 64).notNullable();
      t.string('dataset_name', 500).notNullable().defaultTo('');
      t.string('dataset_digest', 36).notNullable().defaultTo('');
      // No primary key: MySQL caps index width below these columns together; points are deduped on write.
      t.index(['model_id', 'key'], 'logged_model_metrics_key_idx');
    });
  },
  async down(k) {
    for (const t of ['logged_model_metrics', 'logged_model_params', 'logged_model_tags', 'logged_models']) await k.schema.dropTableIfExists(t);
  },
};

const longExperimentTags: Migration = {
  name: '0003_experiment_tag_values_20000',
  async up(k) {
    // SQLite does not enforce declared lengths; the server databases do.
    if (isSqlite(k)) return;
    await k.schema.alterTable('experiment_tags', (t) => { t.text('value').notNullable().alter(); });
  },
  async down(k) {
    if (isSqlite(k)) return;
    await k.schema.alterTable('experiment_tags', (t) => { t.string('value', 5000).notNullable().alter(); });
  },
};

/**
 * SQLite: the key/value tables become WITHOUT ROWID, so a lookup by (run, key) is one B-tree
 * seek that also yields the value. Measured on 10,000 runs: a metric-filtered, metric-ordered
 * search went from 13.7 ms to 4.7 ms of SQL.
 */
const clusteredKeyValues: Migration = {
  name: '0004_sqlite_clustered_key_values',
  async up(k) {
    if (!isSqlite(k)) return;
    const rebuild = async (table: string, columns: string, key: string, copy: string) => {
      await k.raw(`CREATE TABLE ${table}_new (${columns}, PRIMARY KEY (${key})) WITHOUT ROWID`);
      await k.raw(`INSERT INTO ${table}_new SELECT ${copy} FROM ${table}`);
      await k.raw(`DROP TABLE ${table}`);
      await k.raw(`ALTER TABLE ${table}_new RENAME TO ${table}`);
    };
    await rebuild('params', 'rid INTEGER NOT NULL, key VARCHAR(250) NOT NULL, value TEXT NOT NULL', 'rid, key', 'rid, key, value');
    await rebuild('tags', 'rid INTEGER NOT NULL, key VARCHAR(250) NOT NULL, value TEXT NOT NULL', 'rid, key', 'rid, key, value');
    await rebuild('experiment_tags', 'experiment_id VARCHAR(64) NOT NULL, key VARCHAR(250) NOT NULL, value TEXT NOT NULL', 'experiment_id, key', 'experiment_id, key, value');
    await rebuild('latest_metrics',
      'rid INTEGER NOT NULL, key_id INTEGER NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL, value FLOAT NOT NULL, special SMALLINT NOT NULL',
      'rid, key_id', 'rid, key_id, step, timestamp, value, special');
    await k.raw('CREATE INDEX latest_metrics_key_value_idx ON latest_metrics (key_id, value)');
  },
  async down() {
    // The rowid layout holds the same rows; nothing to undo for correctness.
  },
};

export const MIGRATIONS: Migration[] = [initial, loggedModels, longExperimentTags, clusteredKeyValues];

/** Every index the code's queries rely on, by table; checked at start. */
export const EXPECTED_INDEXES: Record<string, string[]> = {
  experiments: ['experiments_name_uq'],
  runs: ['runs_uuid_uq', 'runs_experiment_start_idx'],
  metric_keys: ['metric_keys_key_uq'],
  latest_metrics: ['latest_metrics_key_value_idx'],
  datasets: ['datasets_identity_uq'],
  run_inputs: ['run_inputs_dataset_idx'],
  logged_models: ['logged_models_experiment_idx'],
  logged_model_metrics: ['logged_model_metrics_key_idx'],
};

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => ({ up: m.up, down: m.down }),
};
