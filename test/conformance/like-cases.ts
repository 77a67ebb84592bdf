/**
 * LIKE and ILIKE cases every database must answer alike (the rule is in src/store/search/like.ts):
 * the stored values, and for each pattern the values it matches. Patterns are written as the
 * store receives them; `filterText` quotes one for the filter language.
 */

export const LIKE_VALUES = [
  'a_b', 'axb', 'a\\b', 'a%b', 'ab', 'ab\\', 'abc', 'ABC', 'a*b', 'a?b', 'a[b]', 'a\\_b',
  'Élan', 'élan', 'ELAN', 'straße', 'STRAẞE', 'STRASSE', 'ΣΟΦΙΑ', 'σοφια', 'Σοφία',
];

export const LIKE_CASES: Array<{ op: 'LIKE' | 'ILIKE'; pattern: string; matches: string[] }> = [
  // Wildcards.
  { op: 'LIKE', pattern: 'a_b', matches: ['a_b', 'axb', 'a\\b', 'a%b', 'a*b', 'a?b'] },
  { op: 'LIKE', pattern: 'a%b', matches: ['a_b', 'axb', 'a\\b', 'a%b', 'ab', 'a*b', 'a?b', 'a\\_b'] },
  { op: 'LIKE', pattern: '%', matches: LIKE_VALUES },
  // A backslash takes the next character literally.
  { op: 'LIKE', pattern: 'a\\_b', matches: ['a_b'] },
  { op: 'LIKE', pattern: 'a\\%b', matches: ['a%b'] },
  { op: 'LIKE', pattern: 'a\\\\b', matches: ['a\\b'] },
  { op: 'LIKE', pattern: 'a\\\\\\_b', matches: ['a\\_b'] },
  { op: 'LIKE', pattern: 'a\\b', matches: ['ab'] },
  { op: 'LIKE', pattern: '\\a\\b\\c', matches: ['abc'] },
  // A lone backslash at the end is a literal backslash; an escaped one too.
  { op: 'LIKE', pattern: 'ab\\', matches: ['ab\\'] },
  { op: 'LIKE', pattern: '%\\\\', matches: ['ab\\'] },
  // GLOB's metacharacters are plain text.
  { op: 'LIKE', pattern: 'a*b', matches: ['a*b'] },
  { op: 'LIKE', pattern: 'a?b', matches: ['a?b'] },
  { op: 'LIKE', pattern: 'a[b]', matches: ['a[b]'] },
  { op: 'LIKE', pattern: '%]', matches: ['a[b]'] },
  { op: 'LIKE', pattern: 'a[_]', matches: ['a[b]'] },
  // LIKE is case-sensitive, for ASCII and beyond.
  { op: 'LIKE', pattern: 'A%', matches: ['ABC'] },
  { op: 'LIKE', pattern: 'abc', matches: ['abc'] },
  { op: 'LIKE', pattern: 'élan', matches: ['élan'] },
  { op: 'LIKE', pattern: 'STRA_E', matches: ['STRAẞE'] },
  // ILIKE folds case character by character, across Unicode.
  { op: 'ILIKE', pattern: 'abc', matches: ['abc', 'ABC'] },
  { op: 'ILIKE', pattern: 'A%C', matches: ['abc', 'ABC'] },
  { op: 'ILIKE', pattern: 'élan', matches: ['Élan', 'élan'] },
  { op: 'ILIKE', pattern: 'ÉLAN', matches: ['Élan', 'élan'] },
  { op: 'ILIKE', pattern: 'elan', matches: ['ELAN'] },
  { op: 'ILIKE', pattern: 'straße', matches: ['straße', 'STRAẞE'] },
  { op: 'ILIKE', pattern: 'STRASSE', matches: ['STRASSE'] },
  { op: 'ILIKE', pattern: 'σοφια', matches: ['ΣΟΦΙΑ', 'σοφια'] },
  { op: 'ILIKE', pattern: 'ΣΟΦΊΑ', matches: ['Σοφία'] },
  { op: 'ILIKE', pattern: 'σ%', matches: ['ΣΟΦΙΑ', 'σοφια', 'Σοφία'] },
  // ILIKE keeps the escapes.
  { op: 'ILIKE', pattern: 'A\\_B', matches: ['a_b'] },
  { op: 'ILIKE', pattern: 'AB\\', matches: ['ab\\'] },
  { op: 'ILIKE', pattern: 'A\\%B', matches: ['a%b'] },
  { op: 'ILIKE', pattern: 'A[B]', matches: ['a[b]'] },
];

/** A pattern as a quoted literal of the filter language (a backslash and the quote doubled). */
export const filterText = (pattern: string) => `'${pattern.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
