/**
 * What LIKE and ILIKE patterns mean, the same on every database. MLflow's SQL store hands the
 * pattern to the database unchanged, so on PostgreSQL and MySQL (the databases it serves many
 * users from) a backslash escapes; its SQLite runs lack that escape and fold only ASCII, and its
 * file store reads a backslash literally. We take the PostgreSQL/MySQL meaning everywhere:
 *
 *   - `%` matches any run of characters, `_` exactly one character (a code point);
 *   - a backslash takes the next character literally: `a\_b` matches only `a_b`, `a\%` only
 *     `a%`, `a\\b` only `a\b`; a lone backslash at the very end is a literal backslash;
 *   - every other character is itself, GLOB's `*`, `?`, `[` and `]` included;
 *   - LIKE is case-sensitive (`A%` does not match `abc`);
 *   - ILIKE compares both sides lowercased character by character (Unicode simple lowercase
 *     mapping): `élan` matches `Élan`, `straße` matches `STRAẞE`, `σοφια` matches `ΣΟΦΙΑ`,
 *     but `ß` never matches `ss`, nor final `ς` a capital `Σ`.
 *
 * SQLite gets LIKE translated to GLOB (case-sensitive, and it keeps the index use of a prefix
 * pattern), and ILIKE as LIKE over both sides passed through unicode_lower(), a function
 * registered on its connections (see sqlite-functions.ts), because its own LOWER() folds ASCII only.
 */

/** The name SQLite connections know the case fold by. */
export const SQLITE_LOWER = 'unicode_lower';

/** Characters GLOB gives a meaning outside a class (`]` is itself there); bracketed, each stands for itself. */
const GLOB_META = new Set(['*', '?', '[']);

/**
 * For LIKE with the backslash as its escape (named by an ESCAPE clause on every database; see
 * dialect.ts): only a pattern ending in an unpaired backslash needs a change (PostgreSQL refuses
 * it, MySQL reads it as a literal backslash, SQLite matches nothing); it gets its pair, so all
 * read the literal.
 */
export function likePattern(pattern: string): string {
  let trailing = 0;
  for (let i = pattern.length - 1; i >= 0 && pattern[i] === '\\'; i--) trailing++;
  return trailing % 2 === 1 ? `${pattern}\\` : pattern;
}

/** The LIKE pattern as a SQLite GLOB pattern: wildcards translated, escapes and GLOB's own metacharacters made literal. */
export function likeToGlob(pattern: string): string {
  const chars = [...pattern];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i];
    let literal = false;
    if (ch === '\\' && i + 1 < chars.length) {
      ch = chars[++i];
      literal = true;
    }
    if (!literal && ch === '%') out += '*';
    else if (!literal && ch === '_') out += '?';
    else if (GLOB_META.has(ch)) out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

/**
 * Lowercases character by character with the simple mapping. String.prototype.toLowerCase
 * agrees except for two characters: capital sigma at a word's end (it gives ς) and İ (it gives
 * i plus a combining dot); only text holding one of them takes the slow path.
 */
export function foldCase(text: string): string {
  if (!/[\u03a3\u0130]/.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    out += String.fromCodePoint(lower.codePointAt(0)!);
  }
  return out;
}
