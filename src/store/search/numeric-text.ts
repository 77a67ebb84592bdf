/**
 * Text read as a number, the same on every database: a decimal literal of at most 20 digits on
 * either side of the point and a two-digit exponent (so no database's cast can overflow or
 * fail), optionally signed. Anything else (`1e400`, `0x10`, `nan`, ` 1`) is not a number.
 * Params are text; W&B filters compare config values numerically, MLflow runs' params included.
 */
// No `?` in it: knex reads one in raw SQL as a placeholder.
export const NUMERIC_TEXT_SQL_PATTERN = '^[-+]{0,1}([0-9]{1,20}([.][0-9]{0,20}){0,1}|[.][0-9]{1,20})([eE][-+]{0,1}[0-9]{1,2}){0,1}$';
const NUMERIC_TEXT = new RegExp(NUMERIC_TEXT_SQL_PATTERN);

/** The name SQLite connections know it by (sqlite-functions.ts). */
export const SQLITE_NUMBER = 'trackbridge_number';

export function numberOfText(text: unknown): number | null {
  return typeof text === 'string' && NUMERIC_TEXT.test(text) ? Number(text) : null;
}
