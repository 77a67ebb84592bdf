/** MLflow's limits, which every front-end enforces the same way because the core does. */
export const LIMITS = {
  keyLength: 250,
  runNameLength: 250,
  userIdLength: 256,
  loggedModelNameLength: 500,
  modelTypeLength: 500,
  datasetSourceType: 36,
  paramValueLength: 6000,
  runTagValueLength: 8000,
  // MLflow 3.17 raised this from 5,000 (the UI keeps experiment descriptions in a tag).
  experimentTagValueLength: 20000,
  experimentNameLength: 500,
  artifactLocationLength: 2048,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchEntities: 1000,
  searchRunsMax: 50000,
  searchRunsDefault: 1000,
  searchExperimentsMax: 50000,
  historyPageMax: 25000,
  bulkRunsMax: 100,
  searchDatasetsExperiments: 20,
  bulkIntervalMaxResults: 2500,
  datasetName: 500,
  datasetDigest: 36,
  datasetSource: 65535,
  datasetSchema: 1048575,
  datasetProfile: 16777215,
  inputTagKey: 255,
  inputTagValue: 500,
  // Bounds of our own, under what every database can run in one statement: each order_by key
  // is a join (SQLite joins at most 64 tables), and experiment ids and IN-list values are bind
  // variables (SQLite takes 32,766 in one statement, PostgreSQL and MySQL 65,535).
  orderByTerms: 20,
  searchExperimentIds: 10000,
  filterListValues: 10000,
  // A filter tree (And/Or/Not over comparisons) at most this deep and this large, counting
  // every node. Measured on a small store, an Or of 1,000 metric comparisons takes up to a
  // quarter of a second on each database; past that SQLite's statement compile grows faster
  // than linearly (5,000: four seconds), and it holds the event loop while it compiles. 64
  // levels of nesting stay far inside every database's expression depth and stack limits.
  filterDepth: 64,
  filterTerms: 1000,
  /** Our page tokens are a few dozen characters; anything this long is not one of them. */
  pageTokenLength: 1024,
  /** A JSON text the core parses (a logged model's MLmodel) nests no deeper than this. */
  jsonNesting: 100,
  // A run's W&B data, in UTF-8 bytes of its JSON text. Each goes to the database in one
  // statement, and MySQL's driver escapes values into the statement's text, which can double
  // them (every quote and backslash): 7 MiB stays under MariaDB's default 16 MiB packet. W&B's
  // own requests stop at about 10 MiB, so a config, a summary, one value or one console line
  // this large is far past what its client sends.
  runDocumentBytes: 7 * 1024 * 1024,
  historyValueBytes: 7 * 1024 * 1024,
  consoleLineBytes: 7 * 1024 * 1024,
  /** Characters of value text one page of history values or console lines holds (one value at least). */
  runDataPageChars: 16 * 1024 * 1024,
  /** Rows of one history chunk: a 10 MiB file_stream request holds fewer lines than this. */
  historyChunkRows: 100000,
} as const;
