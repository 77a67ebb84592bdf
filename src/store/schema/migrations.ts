/**
 * Schema migrations, in order; names are permanent (they are what `trackbridge_migrations` holds).
 * Each is written as SchemaSteps, every one of which is skipped when already done, so a
 * migration cut short by a crash is simply run again (see steps.ts).
 * The store refuses to open a database that has migrations this code does not know.
 */
import type { Knex } from 'knex';
import type { SchemaSteps } from './steps';

export interface Migration { name: string; up(s: SchemaSteps): Promise<void> }

/** MEDIUMTEXT on MySQL (its TEXT stops at 64 KiB); plain TEXT elsewhere. */
const longText = (t: Knex.CreateTableBuilder, name: string) => t.text(name, 'mediumtext');

const initial: Migration = {
  name: '0001_initial',
  async up(s) {
    await s.createTable('counters', (t) => {
      s.dialect.binaryCollation(t);
      t.string('name', 32).primary();
      t.bigInteger('value').notNullable();
    });
    await s.createTable('experiments', (t) => {
      s.dialect.binaryCollation(t);
      t.string('experiment_id', 64).primary();
      t.string('name', 500).notNullable();
      t.string('artifact_location', 2048).notNullable();
      t.string('lifecycle_stage', 16).notNullable();
      t.bigInteger('creation_time').notNullable();
      t.bigInteger('last_update_time').notNullable();
    });
    await s.index('experiments', 'experiments_name_uq', ['name'], 'unique');
    await s.createTable('experiment_tags', (t) => {
      s.dialect.binaryCollation(t);
      t.string('experiment_id', 64).notNullable();
      t.string('key', 250).notNullable();
      t.string('value', 5000).notNullable();
      t.primary(['experiment_id', 'key']);
    });
    await s.createTable('runs', (t) => {
      s.dialect.binaryCollation(t);
      t.increments('rid').primary();
      t.string('run_uuid', 64).notNullable();
      t.string('experiment_id', 64).notNullable();
      t.string('name', 250).notNullable();
      t.string('user_id', 256).notNullable();
      t.string('status', 16).notNullable();
      t.bigInteger('start_time').notNullable();
      t.bigInteger('end_time').nullable();
      t.string('artifact_uri', 2048).notNullable();
      t.string('lifecycle_stage', 16).notNullable();
      t.bigInteger('deleted_time').nullable();
    });
    await s.index('runs', 'runs_uuid_uq', ['run_uuid'], 'unique');
    await s.index('runs', 'runs_experiment_start_idx', ['experiment_id', 'lifecycle_stage', 'start_time']);
    await s.createTable('params', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('rid').notNullable();
      t.string('key', 250).notNullable();
      t.text('value').notNullable();
      t.primary(['rid', 'key']);
    });
    await s.createTable('tags', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('rid').notNullable();
      t.string('key', 250).notNullable();
      t.text('value').notNullable();
      t.primary(['rid', 'key']);
    });
    await s.createTable('metric_keys', (t) => {
      s.dialect.binaryCollation(t);
      t.increments('key_id').primary();
      t.string('key', 250).notNullable();
    });
    await s.index('metric_keys', 'metric_keys_key_uq', ['key'], 'unique');
    // One row per point, keyed in history order (MLflow's: timestamp, step, value). `special` keeps what a double column cannot hold everywhere:
    // 0 finite, 1 NaN, 2 +Infinity, 3 -Infinity; `value` then holds 0 / ±MAX so ordering works.
    if (s.dialect.withoutRowid) {
      // The point table is its own primary-key index: half the size, one B-tree to update.
      await s.createTableSql('metrics', `CREATE TABLE metrics (rid INTEGER NOT NULL, key_id INTEGER NOT NULL, step INTEGER NOT NULL,
        timestamp INTEGER NOT NULL, value REAL NOT NULL, special INTEGER NOT NULL,
        PRIMARY KEY (rid, key_id, timestamp, step, value, special)) WITHOUT ROWID`);
    } else {
      await s.createTable('metrics', (t) => {
        s.dialect.binaryCollation(t);
        t.integer('rid').notNullable();
        t.integer('key_id').notNullable();
        t.bigInteger('step').notNullable();
        t.bigInteger('timestamp').notNullable();
        t.double('value').notNullable();
        t.smallint('special').notNullable();
        t.primary(['rid', 'key_id', 'timestamp', 'step', 'value', 'special']);
      });
    }
    await s.createTable('latest_metrics', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('rid').notNullable();
      t.integer('key_id').notNullable();
      t.bigInteger('step').notNullable();
      t.bigInteger('timestamp').notNullable();
      t.double('value').notNullable();
      t.smallint('special').notNullable();
      t.primary(['rid', 'key_id']);
    });
    await s.index('latest_metrics', 'latest_metrics_key_value_idx', ['key_id', 'value']);
    await s.createTable('datasets', (t) => {
      s.dialect.binaryCollation(t);
      t.increments('dataset_id').primary();
      t.string('experiment_id', 64).notNullable();
      t.string('name', 500).notNullable();
      t.string('digest', 36).notNullable();
      t.string('source_type', 36).notNullable();
      longText(t, 'source');
      longText(t, 'schema');
      longText(t, 'profile');
    });
    await s.index('datasets', 'datasets_identity_uq', ['experiment_id', 'name', 'digest'], 'unique');
    await s.createTable('run_inputs', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('rid').notNullable();
      t.integer('dataset_id').notNullable();
      t.text('tags_json').notNullable();
      t.string('context', 500).nullable();
      t.primary(['rid', 'dataset_id']);
    });
    await s.index('run_inputs', 'run_inputs_dataset_idx', ['dataset_id']);
    await s.createTable('run_models', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('rid').notNullable();
      t.string('direction', 8).notNullable();
      t.string('model_id', 64).notNullable();
      t.bigInteger('step').notNullable();
      t.primary(['rid', 'direction', 'model_id']);
    });
    await s.insertMissing('counters', { name: 'experiment', value: 0 }, ['name']);
  },
};

const loggedModels: Migration = {
  name: '0002_logged_models',
  async up(s) {
    await s.createTable('logged_models', (t) => {
      s.dialect.binaryCollation(t);
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
    });
    await s.index('logged_models', 'logged_models_experiment_idx', ['experiment_id', 'creation_timestamp']);
    await s.createTable('logged_model_tags', (t) => {
      s.dialect.binaryCollation(t);
      t.string('model_id', 64).notNullable();
      t.string('key', 250).notNullable();
      t.text('value').notNullable();
      t.primary(['model_id', 'key']);
    });
    await s.createTable('logged_model_params', (t) => {
      s.dialect.binaryCollation(t);
      t.string('model_id', 64).notNullable();
      t.string('key', 250).notNullable();
      t.text('value').notNullable();
      t.primary(['model_id', 'key']);
    });
    await s.createTable('logged_model_metrics', (t) => {
      s.dialect.binaryCollation(t);
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
    });
    await s.index('logged_model_metrics', 'logged_model_metrics_key_idx', ['model_id', 'key']);
  },
};

const longExperimentTags: Migration = {
  name: '0003_experiment_tag_values_20000',
  async up(s) {
    // SQLite does not enforce declared lengths; the server databases do.
    if (!s.dialect.enforcesLengths) return;
    await s.alterColumn('experiment_tags', 'value', (c) => c.type === 'text', (t) => { t.text('value').notNullable().alter(); });
  },
};

/**
 * SQLite: the key/value tables become WITHOUT ROWID, so a lookup by (run, key) is one B-tree
 * seek that also yields the value. Measured on 10,000 runs: a metric-filtered, metric-ordered
 * search went from 13.7 ms to 4.7 ms of SQL. Unchecked statements: SQLite runs the setup in one
 * transaction, so this is all done or not at all.
 */
const clusteredKeyValues: Migration = {
  name: '0004_sqlite_clustered_key_values',
  async up(s) {
    if (!s.dialect.withoutRowid) return;
    const rebuild = async (table: string, columns: string, key: string, copy: string) => {
      await s.exec(`CREATE TABLE ${table}_new (${columns}, PRIMARY KEY (${key})) WITHOUT ROWID`);
      await s.exec(`INSERT INTO ${table}_new SELECT ${copy} FROM ${table}`);
      await s.exec(`DROP TABLE ${table}`);
      await s.exec(`ALTER TABLE ${table}_new RENAME TO ${table}`);
    };
    await rebuild('params', 'rid INTEGER NOT NULL, key VARCHAR(250) NOT NULL, value TEXT NOT NULL', 'rid, key', 'rid, key, value');
    await rebuild('tags', 'rid INTEGER NOT NULL, key VARCHAR(250) NOT NULL, value TEXT NOT NULL', 'rid, key', 'rid, key, value');
    await rebuild('experiment_tags', 'experiment_id VARCHAR(64) NOT NULL, key VARCHAR(250) NOT NULL, value TEXT NOT NULL', 'experiment_id, key', 'experiment_id, key, value');
    await rebuild('latest_metrics',
      'rid INTEGER NOT NULL, key_id INTEGER NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL, value FLOAT NOT NULL, special SMALLINT NOT NULL',
      'rid, key_id', 'rid, key_id, step, timestamp, value, special');
    await s.exec('CREATE INDEX latest_metrics_key_value_idx ON latest_metrics (key_id, value)');
  },
};

/**
 * Where ingested experiments and runs came from: one row per (kind, system, origin id), which is
 * what makes a second ingest find the object instead of adding another; the index finds an
 * object's origins.
 */
const origins: Migration = {
  name: '0005_origins',
  async up(s) {
    await s.createTable('origins', (t) => {
      s.dialect.binaryCollation(t);
      t.string('kind', 16).notNullable();
      t.string('system', 64).notNullable();
      t.string('origin_id', 255).notNullable();
      t.string('local_id', 64).notNullable();
      t.string('url', 2048).nullable();
      t.bigInteger('first_ingest_time').notNullable();
      t.bigInteger('last_ingest_time').notNullable();
      t.primary(['kind', 'system', 'origin_id']);
    });
    await s.index('origins', 'origins_local_idx', ['kind', 'local_id']);
  },
};

/**
 * A run's W&B data beside its MLflow rows: config and summary documents, its line streams with
 * the offset each has been applied to, history values that are not numbers (numbers go to
 * metrics), and console lines. Values are JSON text in the core's encoding (core/json-value.ts).
 */
const runData: Migration = {
  name: '0006_run_data',
  async up(s) {
    await s.createTable('run_documents', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('rid').notNullable();
      t.string('kind', 16).notNullable();
      longText(t, 'body');
      t.primary(['rid', 'kind']);
    });
    await s.createTable('run_streams', (t) => {
      s.dialect.binaryCollation(t);
      t.increments('stream_id').primary();
      t.integer('rid').notNullable();
      t.string('name', 250).notNullable();
      t.bigInteger('next_offset').notNullable();
    });
    await s.index('run_streams', 'run_streams_run_name_uq', ['rid', 'name'], 'unique');
    // One row per value, keyed as W&B sends it: a line of a stream, a key of that line.
    await s.createTable('run_history_values', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('rid').notNullable();
      t.integer('stream_id').notNullable();
      t.bigInteger('line_no').notNullable();
      t.string('key', 250).notNullable();
      t.bigInteger('step').notNullable();
      t.bigInteger('timestamp').notNullable();
      t.string('kind', 16).notNullable();
      longText(t, 'value_json');
      t.primary(['rid', 'stream_id', 'line_no', 'key']);
    });
    await s.index('run_history_values', 'run_history_values_key_step_idx', ['rid', 'key', 'step']);
    await s.createTable('run_console_lines', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('stream_id').notNullable();
      t.bigInteger('line_no').notNullable();
      longText(t, 'content');
      t.primary(['stream_id', 'line_no']);
    });
  },
};

/**
 * The model registry. Versions, tags and aliases name their model by its row handle, never by
 * its name, so a rename is one row update however many versions the model has. `last_version`
 * is the highest number the model ever gave: numbers are reserved under the model's row lock
 * and never reused, deleted versions counted.
 */
const registry: Migration = {
  name: '0007_registry',
  async up(s) {
    await s.createTable('registered_models', (t) => {
      s.dialect.binaryCollation(t);
      t.increments('handle').primary();
      t.string('name', 256).notNullable();
      t.bigInteger('creation_timestamp').notNullable();
      t.bigInteger('last_updated_timestamp').notNullable();
      t.string('user_id', 256).nullable();
      longText(t, 'description');
      t.string('deployment_job_id', 256).nullable();
      t.integer('last_version').notNullable();
    });
    await s.index('registered_models', 'registered_models_name_uq', ['name'], 'unique');
    await s.index('registered_models', 'registered_models_updated_idx', ['last_updated_timestamp']);
    await s.createTable('registered_model_tags', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('handle').notNullable();
      t.string('key', 250).notNullable();
      longText(t, 'value');
      t.primary(['handle', 'key']);
    });
    if (s.dialect.withoutRowid) {
      // Clustered by (model, number): a model's versions are one B-tree range, read without a second lookup.
      await s.createTableSql('model_versions', `CREATE TABLE model_versions (handle INTEGER NOT NULL, version INTEGER NOT NULL,
        creation_timestamp BIGINT NOT NULL, last_updated_timestamp BIGINT NOT NULL, user_id VARCHAR(256), current_stage VARCHAR(20) NOT NULL,
        description TEXT, source TEXT NOT NULL, run_id VARCHAR(256), run_link TEXT, model_id VARCHAR(256), status VARCHAR(32) NOT NULL,
        status_message TEXT, storage_location TEXT NOT NULL, deleted SMALLINT NOT NULL,
        PRIMARY KEY (handle, version)) WITHOUT ROWID`);
    } else {
      await s.createTable('model_versions', (t) => {
        s.dialect.binaryCollation(t);
        t.integer('handle').notNullable();
        t.integer('version').notNullable();
        t.bigInteger('creation_timestamp').notNullable();
        t.bigInteger('last_updated_timestamp').notNullable();
        t.string('user_id', 256).nullable();
        t.string('current_stage', 20).notNullable();
        // Descriptions and tag values hold 100,000 characters, up to 400,000 bytes: past MySQL's TEXT.
        longText(t, 'description');
        t.text('source').notNullable();
        // As long as an id the core admits (MLflow's 256), though this server's own ids are shorter.
        t.string('run_id', 256).nullable();
        t.text('run_link').nullable();
        t.string('model_id', 256).nullable();
        t.string('status', 32).notNullable();
        t.text('status_message').nullable();
        t.text('storage_location').notNullable();
        t.smallint('deleted').notNullable();
        t.primary(['handle', 'version']);
      });
    }
    // The latest version of each stage is read from this index alone.
    await s.index('model_versions', 'model_versions_latest_idx', ['handle', 'deleted', 'current_stage', 'version']);
    await s.index('model_versions', 'model_versions_run_idx', ['run_id']);
    await s.index('model_versions', 'model_versions_model_idx', ['model_id']);
    await s.createTable('model_version_tags', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('handle').notNullable();
      t.integer('version').notNullable();
      t.string('key', 250).notNullable();
      longText(t, 'value');
      t.primary(['handle', 'version', 'key']);
    });
    await s.createTable('registered_model_aliases', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('handle').notNullable();
      t.string('alias', 256).notNullable();
      t.integer('version').notNullable();
      t.primary(['handle', 'alias']);
    });
    await s.index('registered_model_aliases', 'registered_model_aliases_version_idx', ['handle', 'version']);
  },
};

/**
 * Webhooks and the events each subscribes to, in the order given. The secret that signs a
 * webhook's deliveries is never part of an answer; it rests sealed when the server has a key
 * (core/webhooks/secret-box.ts), which makes it longer than the 1,000 characters it may have.
 */
const webhooks: Migration = {
  name: '0008_webhooks',
  async up(s) {
    await s.createTable('webhooks', (t) => {
      s.dialect.binaryCollation(t);
      t.string('webhook_id', 64).primary();
      t.string('name', 63).notNullable();
      t.string('description', 1000).nullable();
      t.string('url', 500).notNullable();
      t.text('secret').nullable();
      t.string('status', 16).notNullable();
      t.bigInteger('creation_timestamp').notNullable();
      t.bigInteger('last_updated_timestamp').notNullable();
    });
    await s.index('webhooks', 'webhooks_created_idx', ['creation_timestamp', 'webhook_id']);
    await s.createTable('webhook_events', (t) => {
      s.dialect.binaryCollation(t);
      t.string('webhook_id', 64).notNullable();
      t.string('entity', 32).notNullable();
      t.string('action', 16).notNullable();
      t.integer('position').notNullable();
      t.primary(['webhook_id', 'entity', 'action']);
    });
    await s.index('webhook_events', 'webhook_events_event_idx', ['entity', 'action']);
  },
};

/**
 * MySQL's tables were made utf8mb4_bin, which pads: 'k' and 'k ' were one name in every unique
 * index and lookup. Each table is converted to the server's NO PAD binary collation (dialect.ts);
 * a table cannot hold two values differing only by trailing spaces before, so no unique index
 * can fail to rebuild. Elsewhere there is nothing to do.
 */
const noPadCollation: Migration = {
  name: '0009_mysql_no_pad_collation',
  async up(s) {
    for (const table of COLLATED_TABLES) await s.useTextCollation(table);
  },
};

/**
 * Users, their API keys and the server's own settings. A key is kept only as its SHA-256 (hex),
 * found through a unique index; `hint` is a few characters of it to tell keys apart in a list.
 * Settings are written once and never changed (insert-if-missing, then read back), so processes
 * starting together on one database agree on the default entity and the capability secret.
 */
const accounts: Migration = {
  name: '0010_accounts',
  async up(s) {
    await s.createTable('users', (t) => {
      s.dialect.binaryCollation(t);
      t.string('name', 64).primary();
      t.string('entity', 64).notNullable();
      t.bigInteger('created_time').notNullable();
    });
    await s.index('users', 'users_entity_uq', ['entity'], 'unique');
    await s.createTable('api_keys', (t) => {
      s.dialect.binaryCollation(t);
      t.string('key_id', 32).primary();
      t.string('user_name', 64).notNullable();
      t.string('key_hash', 64).notNullable();
      t.string('hint', 16).notNullable();
      t.bigInteger('created_time').notNullable();
      t.bigInteger('revoked_time').nullable();
    });
    await s.index('api_keys', 'api_keys_hash_uq', ['key_hash'], 'unique');
    await s.createTable('settings', (t) => {
      s.dialect.binaryCollation(t);
      t.string('name', 64).primary();
      t.string('value', 1024).notNullable();
    });
  },
};

/** W&B artifacts: collections of a project, their versions, aliases, files and the runs that used them. */
const wandbArtifacts: Migration = {
  name: '0011_wandb_artifacts',
  async up(s) {
    await s.createTable('wandb_artifact_collections', (t) => {
      s.dialect.binaryCollation(t);
      t.increments('collection_id').primary();
      t.string('experiment_id', 64).notNullable();
      t.string('name', 128).notNullable();
      t.string('type_name', 128).notNullable();
      t.bigInteger('created_at').notNullable();
    });
    await s.index('wandb_artifact_collections', 'wandb_artifact_collections_name_uq', ['experiment_id', 'name'], 'unique');
    await s.createTable('wandb_artifacts', (t) => {
      s.dialect.binaryCollation(t);
      t.increments('artifact_id').primary();
      t.integer('collection_id').notNullable();
      t.string('state', 16).notNullable();
      t.integer('version_index');
      t.string('digest', 64).notNullable();
      longText(t, 'description');
      longText(t, 'metadata');
      t.string('client_id', 128);
      t.string('sequence_client_id', 128);
      t.bigInteger('history_step');
      t.string('logged_by', 64);
      t.text('pending_aliases').notNullable();
      t.integer('file_count').notNullable();
      t.bigInteger('size').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
    await s.index('wandb_artifacts', 'wandb_artifacts_client_uq', ['client_id'], 'unique');
    await s.index('wandb_artifacts', 'wandb_artifacts_collection_idx', ['collection_id', 'state', 'digest']);
    await s.index('wandb_artifacts', 'wandb_artifacts_version_uq', ['collection_id', 'version_index'], 'unique');
    await s.index('wandb_artifacts', 'wandb_artifacts_logged_by_idx', ['logged_by']);
    await s.createTable('wandb_artifact_aliases', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('collection_id').notNullable();
      t.string('alias', 128).notNullable();
      t.integer('artifact_id').notNullable();
      t.primary(['collection_id', 'alias']);
    });
    await s.index('wandb_artifact_aliases', 'wandb_artifact_aliases_artifact_idx', ['artifact_id']);
    await s.createTable('wandb_artifact_files', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('artifact_id').notNullable();
      // Files are kept in path order by position: a 1,024-character path is too long for a MySQL key.
      t.integer('position').notNullable();
      t.string('path', 1024).notNullable();
      t.string('digest', 256).notNullable();
      t.bigInteger('size').notNullable();
      t.string('ref', 2048);
      t.primary(['artifact_id', 'position']);
    });
    await s.createTable('wandb_artifact_uses', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('artifact_id').notNullable();
      t.string('run_uuid', 64).notNullable();
      t.bigInteger('used_at').notNullable();
      t.primary(['artifact_id', 'run_uuid']);
    });
    await s.index('wandb_artifact_uses', 'wandb_artifact_uses_run_idx', ['run_uuid']);
  },
};

/**
 * The scalar leaves of each run's W&B config and summary documents, one row per flattened key
 * (`optimizer.lr`), so W&B filters and orders can compare them by number or by text. The store
 * writes them in the transaction that sets the document (tx/run-data.ts). No backfill: before
 * this migration no server wrote those documents.
 */
const runValues: Migration = {
  name: '0012_run_values',
  async up(s) {
    await s.createTable('run_values', (t) => {
      s.dialect.binaryCollation(t);
      t.integer('rid').notNullable();
      t.string('doc', 16).notNullable();
      t.string('key', 250).notNullable();
      // A finite number (bigints as the nearest double); NULL for any other leaf.
      t.double('num').nullable();
      // Strings, booleans ('true'/'false'), bigints (their digits), lists (their JSON); NULL for a number or null.
      longText(t, 'text');
      t.primary(['rid', 'doc', 'key']);
    });
    await s.index('run_values', 'run_values_key_num_idx', ['doc', 'key', 'num']);
    // W&B reads a run's history a step range at a time, every key at once (store/run-history-rows.ts).
    await s.index('metrics', 'metrics_run_step_idx', ['rid', 'step', 'key_id']);
  },
};

export const MIGRATIONS: Migration[] = [initial, loggedModels, longExperimentTags, clusteredKeyValues, origins, runData, registry, webhooks, noPadCollation,
  accounts, wandbArtifacts, runValues];


/** Where the names of applied migrations are kept (the table knex's migrator made, same columns). */
export const MIGRATION_TABLE = 'trackbridge_migrations';

/** Made by knex's migrator in databases created before; no longer used, still ours. */
export const LEGACY_LOCK_TABLE = 'trackbridge_migrations_lock';

/**
 * Every table a trackbridge database may hold; anything else means the database belongs to
 * someone else and is refused before anything is written. A test checks this against a fresh start.
 */
export const OWN_TABLES: readonly string[] = [
  MIGRATION_TABLE, LEGACY_LOCK_TABLE,
  'counters', 'experiments', 'experiment_tags', 'runs', 'params', 'tags', 'metric_keys', 'metrics', 'latest_metrics',
  'datasets', 'run_inputs', 'run_models',
  'logged_models', 'logged_model_tags', 'logged_model_params', 'logged_model_metrics',
  'origins',
  'run_documents', 'run_streams', 'run_history_values', 'run_console_lines',
  'registered_models', 'registered_model_tags', 'model_versions', 'model_version_tags', 'registered_model_aliases',
  'webhooks', 'webhook_events',
  'users', 'api_keys', 'settings',
  'wandb_artifact_collections', 'wandb_artifacts', 'wandb_artifact_aliases', 'wandb_artifact_files', 'wandb_artifact_uses',
  'run_values',
];

/** The tables made with the dialect's binary collation: all but the migrator's bookkeeping. */
const COLLATED_TABLES: readonly string[] = OWN_TABLES.filter((t) => t !== MIGRATION_TABLE && t !== LEGACY_LOCK_TABLE);

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
  origins: ['origins_local_idx'],
  run_streams: ['run_streams_run_name_uq'],
  run_history_values: ['run_history_values_key_step_idx'],
  registered_models: ['registered_models_name_uq', 'registered_models_updated_idx'],
  model_versions: ['model_versions_latest_idx', 'model_versions_run_idx', 'model_versions_model_idx'],
  registered_model_aliases: ['registered_model_aliases_version_idx'],
  webhooks: ['webhooks_created_idx'],
  webhook_events: ['webhook_events_event_idx'],
  users: ['users_entity_uq'],
  api_keys: ['api_keys_hash_uq'],
  wandb_artifact_collections: ['wandb_artifact_collections_name_uq'],
  wandb_artifacts: ['wandb_artifacts_client_uq', 'wandb_artifacts_collection_idx', 'wandb_artifacts_version_uq', 'wandb_artifacts_logged_by_idx'],
  wandb_artifact_aliases: ['wandb_artifact_aliases_artifact_idx'],
  wandb_artifact_uses: ['wandb_artifact_uses_run_idx'],
  run_values: ['run_values_key_num_idx'],
  metrics: ['metrics_run_step_idx'],
};
