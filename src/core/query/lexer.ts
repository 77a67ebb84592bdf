/**
 * Tokeniser for the search filter language (and order_by items).
 *
 * One left-to-right pass with no backtracking, so hostile input costs linear time.
 * Anything it cannot make sense of becomes an INVALID_ARGUMENT TrackbridgeError.
 */
import { invalid } from '../errors';
import { clip } from '../text';

export type Keyword = 'AND' | 'OR' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT' | 'IS' | 'NULL';
/** `<>` is folded into `!=` here so nothing downstream has to know it exists. */
export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** One dot-separated piece of an identifier; `quote` records how it was written. */
export interface IdentPart {
  text: string;
  quote: '' | '`' | '"';
}

interface Span {
  start: number;
  end: number;
  /** The source text of the token, kept for error messages. */
  text: string;
}

export type Token = Span & (
  | { kind: 'ident'; parts: IdentPart[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'op'; op: ComparisonOp }
  | { kind: 'keyword'; keyword: Keyword }
  | { kind: 'lparen' }
  | { kind: 'rparen' }
  | { kind: 'comma' }
);

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>(['AND', 'OR', 'LIKE', 'ILIKE', 'IN', 'NOT', 'IS', 'NULL']);

const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = /[\p{L}\p{N}_$#]+/uy;
const WORD_START = /[\p{L}\p{N}_]/u;
const WORD_CHAR = /[\p{L}\p{N}_$#]/u;
const DIGIT = /[0-9]/;
const SPACE = /\s/;

/** Re-exported for the query modules that already import it from here; the one copy lives in core/text. */
export { clip };

export function tokenize(input: string): Token[] {
  if (typeof input !== 'string') throw invalid('Filter must be a string');
  const tokens: Token[] = [];
  const n = input.length;
  let i = 0;
  const push = (token: Token) => {
    tokens.push(token);
    i = token.end;
  };
  const span = (start: number, end: number): Span => ({ start, end, text: input.slice(start, end) });

  while (i < n) {
    const c = input[i];
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      const { value, end } = readQuoted(input, i);
      push({ kind: 'string', value, ...span(i, end) });
    } else if (c === '(') {
      push({ kind: 'lparen', ...span(i, i + 1) });
    } else if (c === ')') {
      push({ kind: 'rparen', ...span(i, i + 1) });
    } else if (c === ',') {
      push({ kind: 'comma', ...span(i, i + 1) });
    } else if (startsNumber(input, i)) {
      push(readNumber(input, i));
    } else if (c === '`' || c === '"' || isWordStart(input, i)) {
      push(readIdentifier(input, i));
    } else {
      const op = readOperator(input, i);
      if (!op) throw invalid(`Invalid character '${describeChar(input, i)}' at position ${i} in filter string '${clip(input)}'`);
      push({ kind: 'op', op: op.op, ...span(i, i + op.length) });
    }
  }
  return tokens;
}

/** Tested on the whole code point so letters outside the BMP start names too. */
function isWordStart(input: string, i: number): boolean {
  const code = input.codePointAt(i);
  return code !== undefined && WORD_START.test(String.fromCodePoint(code));
}

function readOperator(input: string, i: number): { op: ComparisonOp; length: number } | undefined {
  const two = input.slice(i, i + 2);
  if (two === '!=' || two === '<>') return { op: '!=', length: 2 };
  if (two === '<=' || two === '>=') return { op: two, length: 2 };
  const one = input[i];
  if (one === '=' || one === '<' || one === '>') return { op: one, length: 1 };
  return undefined;
}

function startsNumber(input: string, i: number): boolean {
  const c = input[i];
  const next = input[i + 1] ?? '';
  if (DIGIT.test(c)) return true;
  if (c === '.') return DIGIT.test(next);
  if (c === '-') return DIGIT.test(next) || (next === '.' && DIGIT.test(input[i + 2] ?? ''));
  return false;
}

function readNumber(input: string, start: number): Token {
  NUMBER.lastIndex = start;
  const match = NUMBER.exec(input);
  // startsNumber guarantees a match; the check keeps the type checker honest.
  if (!match) throw invalid(`Invalid number at position ${start}`);
  const end = start + match[0].length;
  // `1abc` or `1.2.3` is neither a number nor a name; refuse it instead of splitting it.
  const after = input[end] ?? '';
  if (after === '.' || after === '`' || after === '"' || after === "'" || WORD_CHAR.test(after)) {
    let stop = end;
    while (stop < input.length && !SPACE.test(input[stop])) stop++;
    throw invalid(`Invalid number '${clip(input.slice(start, stop))}' at position ${start}`);
  }
  return { kind: 'number', value: Number(match[0]), start, end, text: match[0] };
}

/**
 * `prefix.key`, `prefix.a.b`, ``prefix.`any key` ``, `prefix."any key"` and bare words.
 * A single bare word that spells a keyword becomes a keyword token.
 */
function readIdentifier(input: string, start: number): Token {
  const parts: IdentPart[] = [];
  let i = start;
  for (;;) {
    const c = input[i];
    if (c === '`' || c === '"') {
      const { value, end } = readQuoted(input, i);
      parts.push({ text: value, quote: c });
      i = end;
    } else {
      WORD.lastIndex = i;
      const match = WORD.exec(input);
      if (!match) break;
      parts.push({ text: match[0], quote: '' });
      i += match[0].length;
    }
    if (input[i] !== '.') break;
    const next = input[i + 1] ?? '';
    if (next !== '`' && next !== '"' && !isWordStart(input, i + 1)) {
      throw invalid(`Invalid identifier '${clip(input.slice(start, i + 1))}' in filter string: a key must follow '.'`);
    }
    i++;
  }
  const text = input.slice(start, i);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only && only.quote === '' && KEYWORDS.has(only.text.toUpperCase())) {
    return { kind: 'keyword', keyword: only.text.toUpperCase() as Keyword, start, end: i, text };
  }
  return { kind: 'ident', parts, start, end: i, text };
}

/**
 * Reads a quoted run starting at `start` (the quote character itself).
 * Inside, the quote is escaped by doubling it or by a backslash; `\\` is one backslash.
 * Any other backslash is kept, because LIKE patterns such as `a\_b` must reach the store intact.
 */
function readQuoted(input: string, start: number): { value: string; end: number } {
  const quote = input[start];
  const n = input.length;
  let out = '';
  let from = start + 1;
  let i = from;
  while (i < n) {
    const c = input[i];
    if (c === '\\' && (input[i + 1] === quote || input[i + 1] === '\\')) {
      out += input.slice(from, i) + input[i + 1];
      i += 2;
      from = i;
    } else if (c === quote) {
      if (input[i + 1] === quote) {
        out += input.slice(from, i) + quote;
        i += 2;
        from = i;
      } else {
        return { value: out + input.slice(from, i), end: i + 1 };
      }
    } else {
      i++;
    }
  }
  throw invalid(`Invalid filter string: unterminated quote (${quote}) starting at position ${start}`);
}

/** Renders the offending character readably even when it is a control or astral character. */
function describeChar(input: string, i: number): string {
  const code = input.codePointAt(i) ?? 0;
  const ch = String.fromCodePoint(code);
  return code < 0x20 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff)
    ? `\\u${code.toString(16).padStart(4, '0')}`
    : ch;
}
