import { HttpError } from './problem';
import { Invalid } from '../contract/errors';

export const MAX_BODY_BYTES = 256 * 1024;
/** API.md: JSON nested deeper than this is 400 (and DynamoDB stores at most 32 levels). */
export const MAX_JSON_DEPTH = 32;
/**
 * The key that, copied with `Object.assign` or `obj[key] = …`, would set an object's prototype. JSON.parse
 * makes it a plain own property, but one careless copy away from pollution: refused wherever it is.
 * `constructor` and `prototype` are plain keys (a document's `data` may well hold a project's
 * constructor): as own properties they shadow nothing a copy would follow.
 */
const FORBIDDEN_KEYS = new Set(['__proto__']);

const isJson = (contentType: string | undefined): contentType is string =>
  contentType !== undefined && /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType.trim());

/**
 * Whether every `charset` parameter of the media type names UTF-8 (none at all is UTF-8 too): JSON
 * is UTF-8 (RFC 8259 §8.1), and a body labelled ISO-8859-1 or UTF-16 would otherwise be read as
 * UTF-8 — silently as other text than the client sent (`Ã©` stored as `é`), or refused as malformed.
 * `utf8`, the common misspelling, names UTF-8 too.
 */
const isUtf8Labelled = (contentType: string) =>
  contentType
    .split(';')
    .slice(1)
    .map((parameter) => parameter.split('='))
    .filter(([name]) => name?.trim().toLowerCase() === 'charset')
    .every(([, value = '']) => /^(utf-?8|"utf-?8")$/i.test(value.trim()));

/** No content coding at all, or only `identity`: the handlers decode none (RFC 9110 §8.4). */
const isUncoded = (contentEncoding: string | undefined) =>
  contentEncoding === undefined || contentEncoding.split(',').every((coding) => /^\s*(identity)?\s*$/i.test(coding));

/**
 * The JSON body of a request: 413 over 256 KiB, 415 when it is not JSON, is labelled in a charset
 * other than UTF-8, or comes content-coded (`Content-Encoding: gzip`: neither decoded nor read as
 * if it were plain), 400 when it is nested deeper than MAX_JSON_DEPTH, does not parse or carries a
 * key that could pollute prototypes; a number JSON.parse would change comes back as NaN (see
 * `poison`), for the schema to refuse where it is. `undefined` when there is no body at all. Every
 * step is one linear pass without recursion, so no body of the allowed size costs more than a few
 * milliseconds, however it is shaped.
 */
export function parseJsonBody(raw: string | undefined, isBase64: boolean, contentType: string | undefined, contentEncoding?: string): unknown {
  if (raw === undefined || raw === '') return undefined;
  const bytes = isBase64 ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new HttpError('too-large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  if (!isJson(contentType)) throw new HttpError('unsupported-media-type', 'The body must be application/json.', { 'accept-post': 'application/json' });
  if (!isUtf8Labelled(contentType)) throw new HttpError('unsupported-media-type', 'The body must be UTF-8: send charset=utf-8, or no charset.', { 'accept-post': 'application/json' });
  // RFC 9110 §15.5.16: a content coding the server does not apply is 415, with the codings it takes (§12.5.3).
  if (!isUncoded(contentEncoding)) throw new HttpError('unsupported-media-type', 'The body must not be content-coded (no Content-Encoding): send plain application/json.', { 'accept-encoding': 'identity' });
  let text: string;
  try {
    // Strict UTF-8 (RFC 8259 §8.1): a lossy decode would turn invalid bytes into U+FFFD and accept them.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new HttpError('validation', 'The body is not valid JSON.');
  }
  // Before JSON.parse: parsing 100,000 levels costs V8 a few hundred milliseconds by itself; and only
  // the text still says which number the client meant.
  const inexact = scanJsonText(text, MAX_JSON_DEPTH);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError('validation', 'The body is not valid JSON.');
  }
  assertNoForbiddenKeys(value);
  return poison(value, inexact);
}

/**
 * Each number JSON.parse did not keep as sent becomes NaN, which no schema takes (a number field
 * refuses it, a document's `data` too): the field fails where it is, with its path — in a batch,
 * that document alone, as its PUT would.
 */
function poison(root: unknown, paths: readonly (readonly (string | number)[])[]): unknown {
  for (const path of paths) {
    if (path.length === 0) return typeof root === 'number' ? NaN : root;
    let parent: unknown = root;
    for (const part of path.slice(0, -1)) parent = typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>)[part] : undefined;
    const last = path[path.length - 1]!;
    // With a key given twice JSON.parse kept the last value: where that is no number, nothing to mark.
    if (typeof parent === 'object' && parent !== null && Object.hasOwn(parent, last) && typeof (parent as Record<string | number, unknown>)[last] === 'number') (parent as Record<string | number, unknown>)[last] = NaN;
  }
  return root;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const NUMBER_TOKEN = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
/** The characters a JSON number token is made of: digits, `-`, `+`, `.`, `e`, `E`. */
const isNumberChar = (c: number) => (c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;

/**
 * A decimal as its significant digits (no leading or trailing zeros; '' for zero) and the power of
 * ten of its last digit. Index loops, not regular expressions: `/0+$/` is quadratic on a long run of
 * zeros that does not end the string.
 */
function decimalOf(token: string): { digits: string; exponent: number } {
  let e = token.indexOf('e');
  if (e < 0) e = token.indexOf('E');
  const mantissa = e < 0 ? token : token.slice(0, e);
  const dot = mantissa.indexOf('.');
  const whole = (dot < 0 ? mantissa : mantissa.slice(0, dot)).replace('-', '');
  const fraction = dot < 0 ? '' : mantissa.slice(dot + 1);
  const all = whole + fraction;
  let first = 0;
  while (first < all.length && all.charCodeAt(first) === DIGIT_0) first++;
  let last = all.length;
  while (last > first && all.charCodeAt(last - 1) === DIGIT_0) last--;
  if (first === last) return { digits: '', exponent: 0 };
  return { digits: all.slice(first, last), exponent: (e < 0 ? 0 : Number(token.slice(e + 1))) - fraction.length + (all.length - last) };
}

/**
 * Whether JSON.parse keeps this number token's value: its double, written back in the shortest form
 * (which is what is stored and answered), is the same decimal. `1e-400` becomes 0, `1e400` Infinity,
 * `0.1000000000000000000001` becomes 0.1, `9007199254740993` becomes …992: none of them is what the
 * client sent. `-0` is 0, and `1.50` or `15e-1` are 1.5, exactly.
 */
export function isExactNumber(token: string): boolean {
  // At most 15 digits and no exponent (so neither overflow nor underflow): every such decimal survives a double.
  if (token.length <= 15 && !/[eE]/.test(token)) return true;
  const value = Number(token);
  if (!Number.isFinite(value)) return false;
  const sent = decimalOf(token);
  const kept = decimalOf(String(Math.abs(value)).replace('e+', 'e'));
  return sent.digits === kept.digits && sent.exponent === kept.exponent;
}

/** More numbers than this that JSON.parse would change, and the body is refused as a whole. */
export const MAX_INEXACT_NUMBERS = 100;

/**
 * Refuses JSON text whose containers nest deeper than `max`, in one pass over the characters that
 * counts brackets outside strings (whether the text is valid JSON is JSON.parse's business), and
 * answers the paths of the numbers JSON.parse would not keep as sent (isExactNumber). For a path it
 * keeps, per open level, the position of the current key or the array index; a key is decoded only
 * for a path it answers.
 */
export function scanJsonText(text: string, max: number): (string | number)[][] {
  const inexact: (string | number)[][] = [];
  const isObject = new Uint8Array(max + 2);
  const index = new Uint32Array(max + 2);
  const keyStart = new Int32Array(max + 2).fill(-1);
  const keyEnd = new Int32Array(max + 2);
  const keys: Keys = { start: keyStart, end: keyEnd, decodedFrom: new Int32Array(max + 2).fill(-1), decoded: new Array<string>(max + 2) };
  let depth = 0;
  let inString = false;
  let stringIsKey = false;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) {
        inString = false;
        if (stringIsKey) keyEnd[depth] = i;
      }
      continue;
    }
    switch (c) {
      case QUOTE:
        inString = true;
        stringIsKey = expectKey;
        if (expectKey) keyStart[depth] = i;
        expectKey = false;
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (depth === max) throw new Invalid(`The JSON is nested deeper than ${max} levels.`, partsAt(text, depth, isObject, index, keys).join('.'));
        depth++;
        isObject[depth] = c === OPEN_OBJECT ? 1 : 0;
        index[depth] = 0;
        keyStart[depth] = -1;
        expectKey = c === OPEN_OBJECT;
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        if (depth > 0) depth--;
        expectKey = false;
        break;
      case COMMA:
        if (depth > 0 && isObject[depth] === 1) expectKey = true;
        else if (depth > 0) index[depth] = (index[depth] ?? 0) + 1;
        break;
      default: {
        if (c !== MINUS && (c < DIGIT_0 || c > DIGIT_9)) break;
        let end = i + 1;
        let exponent = false;
        for (let n = text.charCodeAt(end); end < text.length && isNumberChar(n); n = text.charCodeAt(++end)) exponent ||= n === 0x65 || n === 0x45;
        // The common case, decided without a string: at most 15 characters and no exponent (see isExactNumber).
        if (end - i <= 15 && !exponent) {
          i = end - 1;
          break;
        }
        const token = text.slice(i, end);
        // Not a JSON number at all: JSON.parse refuses it.
        if (NUMBER_TOKEN.test(token) && !isExactNumber(token)) {
          const path = partsAt(text, depth, isObject, index, keys);
          if (inexact.length === MAX_INEXACT_NUMBERS) throw new Invalid(`More than ${MAX_INEXACT_NUMBERS} numbers cannot be stored exactly (send them as strings).`, path.join('.'));
          inexact.push(path);
        }
        i = end - 1;
      }
    }
  }
  return inexact;
}

/**
 * The keys of the open levels: where each one's text starts and ends, and the last one decoded there
 * (by its start), so that a key is decoded once however many paths under it are answered — a
 * 250 KiB key above 100 inexact numbers would otherwise be decoded 100 times.
 */
interface Keys {
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly decodedFrom: Int32Array;
  readonly decoded: string[];
}

function partsAt(text: string, depth: number, isObject: Uint8Array, index: Uint32Array, keys: Keys): (string | number)[] {
  const parts: (string | number)[] = [];
  for (let level = 1; level <= depth; level++) {
    if (isObject[level] !== 1) {
      parts.push(index[level] ?? 0);
      continue;
    }
    const start = keys.start[level] ?? -1;
    let key = keys.decodedFrom[level] === start ? keys.decoded[level] : undefined;
    if (key === undefined) {
      key = decodeKey(text, start, keys.end[level] ?? -1);
      keys.decoded[level] = key;
      keys.decodedFrom[level] = start;
    }
    parts.push(key);
  }
  return parts;
}

function decodeKey(text: string, start: number, end: number): string {
  if (start < 0 || end <= start) return '';
  try {
    return String(JSON.parse(text.slice(start, end + 1)));
  } catch {
    return text.slice(start + 1, end);
  }
}

/** An explicit stack instead of recursion; a node's path is built only when its key is refused. */
function assertNoForbiddenKeys(root: unknown): void {
  interface Frame {
    value: object;
    key?: string | number;
    parent?: Frame;
  }
  const pathOf = (frame: Frame | undefined, key: string) => {
    const parts = [key];
    for (let f = frame; f?.key !== undefined; f = f.parent) parts.push(String(f.key));
    return parts.reverse().join('.');
  };
  if (typeof root !== 'object' || root === null) return;
  const stack: Frame[] = [{ value: root }];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    if (Array.isArray(frame.value)) {
      // Indexes are never forbidden keys, and Object.keys of a long array would make a string of each.
      const array: unknown[] = frame.value;
      for (let i = 0; i < array.length; i++) {
        const child = array[i];
        if (typeof child === 'object' && child !== null) stack.push({ value: child, key: i, parent: frame });
      }
      continue;
    }
    for (const key of Object.keys(frame.value)) {
      if (FORBIDDEN_KEYS.has(key)) throw new Invalid(`The key "${key}" is not allowed.`, pathOf(frame, key));
      const child: unknown = (frame.value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push({ value: child, key, parent: frame });
    }
  }
}
