// Streaming RFC 4180 CSV parser: strict UTF-8 (a BOM is accepted), CRLF or LF line ends, quoted fields
// with embedded commas, doubled quotes and line breaks. Records carry the physical line they start on,
// so every error can name it. Fields are sliced from the decoded text, never built char by char.

export interface CsvRecord {
  /** 1-based physical line on which the record starts. */
  line: number;
  fields: string[];
  /** Set when the record is malformed but the parser could resynchronise (a row error, not a file error). */
  problem?: string;
}

export type CsvErrorCode = "invalid_utf8" | "unterminated_quote" | "record_too_large";

/** A defect that makes the rest of the file unreadable: the whole file is rejected. */
export class CsvError extends Error {
  constructor(
    readonly code: CsvErrorCode,
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = "CsvError";
  }
}

export interface CsvOptions {
  /** Longest record accepted, in characters (protects memory from a quote that never closes). Default 1 MiB. */
  maxRecordChars?: number;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Yields the records of each decoded chunk as one array (cheaper than one await per record). */
export async function* parseCsvBatches(
  source: AsyncIterable<Uint8Array | string>,
  options: CsvOptions = {},
): AsyncGenerator<CsvRecord[]> {
  const maxRecordChars = options.maxRecordChars ?? 1024 * 1024;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const state: ParseState = { line: 1 };
  // Bytes ahead of the decoder: newlines seen so far and the tail of the previous chunk, to locate a bad byte.
  let byteNewlines = 0;
  let previousTail: Uint8Array = new Uint8Array(0);
  let pending = "";
  // Chunks waiting while one record is incomplete; re-parsing waits until they at least double `pending`
  // so a long quoted field costs linear, not quadratic, time.
  let waiting: string[] = [];
  let waitingChars = 0;

  let first = true;
  // A file whose lines end in CR alone (classic Mac) is read as lines: decided on the first text, kept to the end.
  let crOnly: boolean | undefined;
  for await (const chunk of source) {
    let text: string;
    if (typeof chunk === "string") {
      // The byte path drops the BOM in the decoder; text input drops it here.
      text = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
    } else {
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw invalidUtf8(previousTail, chunk, byteNewlines);
      }
      if (crOnly === undefined) {
        crOnly = lineEndIsCr(pending + waiting.join("") + text);
        // Decided now: text held back before the first line break is read the same way.
        if (crOnly) {
          pending = pending.replaceAll("\r", "\n");
          waiting = waiting.map((w) => w.replaceAll("\r", "\n"));
        }
      }
      byteNewlines += countByte(chunk, crOnly ? CR : LF);
      previousTail = incompleteTail(chunk, previousTail);
    }
    first = false;
    if (text.length === 0) continue;
    if (crOnly === undefined) {
      crOnly = lineEndIsCr(pending + waiting.join("") + text);
      if (crOnly) {
        pending = pending.replaceAll("\r", "\n");
        waiting = waiting.map((w) => w.replaceAll("\r", "\n"));
      }
    }
    if (crOnly) text = text.replaceAll("\r", "\n");
    if (waitingChars > 0 || pending.length > 0) {
      waiting.push(text);
      waitingChars += text.length;
      if (waitingChars < pending.length) continue;
      text = pending + waiting.join("");
      waiting = [];
      waitingChars = 0;
    }
    const records: CsvRecord[] = [];
    const consumed = parseText(text, false, state, records);
    pending = consumed < text.length ? text.slice(consumed) : "";
    if (pending.length > maxRecordChars) throw recordTooLarge(pending, state.line, maxRecordChars);
    if (records.length > 0) yield records;
  }

  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new CsvError(
      "invalid_utf8",
      byteNewlines + 1,
      `invalid UTF-8: the file ends inside a multi-byte character on line ${byteNewlines + 1}`,
    );
  }
  const text = pending + waiting.join("") + (crOnly ? rest.replaceAll("\r", "\n") : rest);
  if (text.length > 0) {
    const records: CsvRecord[] = [];
    parseText(text, true, state, records);
    if (records.length > 0) yield records;
  }
}

/**
 * Whether the first line break of `text` is a CR alone (a classic Mac file); undefined while it cannot be told
 * (no line break yet, or a CR at the very end whose LF may be in the next chunk).
 */
function lineEndIsCr(text: string): boolean | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) return false;
    if (c === CR) return i + 1 < text.length ? text.charCodeAt(i + 1) !== LF : undefined;
  }
  return undefined;
}

/**
 * A copy of `text` that shares nothing with the decoded chunk it was sliced from: V8 keeps a slice's whole
 * parent string alive, so a field kept for the whole file (a tenant id in a seen-set) would otherwise keep
 * its 64 KB chunk, and over a large file the entire decoded text.
 */
export function detached(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

/** One record at a time, for callers that prefer simplicity over the last bit of speed. */
export async function* parseCsv(
  source: AsyncIterable<Uint8Array | string>,
  options: CsvOptions = {},
): AsyncGenerator<CsvRecord> {
  for await (const batch of parseCsvBatches(source, options)) yield* batch;
}

interface ParseState {
  /** Line on which the next record starts. */
  line: number;
}

/**
 * Parses complete records from `text` into `out`; returns how many characters were consumed.
 * When not final, a record is complete only once its line break is seen.
 */
function parseText(text: string, final: boolean, state: ParseState, out: CsvRecord[]): number {
  const len = text.length;
  let pos = 0;
  // Cached position of the next LF at or after pos (-1: none in this text).
  let eol = -2;
  while (pos < len) {
    const recordStart = pos;
    const startLine = state.line;
    let lineBreaks = 0;
    const fields: string[] = [];
    let problem: string | undefined;
    let complete = false;
    // Blank lines (LF or CRLF alone) carry no record.
    const first = text.charCodeAt(pos);
    if (first === LF || (first === 13 && pos + 1 < len && text.charCodeAt(pos + 1) === LF)) {
      pos += first === LF ? 1 : 2;
      state.line += 1;
      continue;
    }
    for (;;) {
      if (pos < len && text.charCodeAt(pos) === QUOTE) {
        // Quoted field: find the closing quote; "" is an escaped quote.
        let value = "";
        let from = pos + 1;
        let closed = false;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) break;
          if (q + 1 < len && text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          if (q + 1 >= len && !final) break; // the next chunk may start with the escaping quote
          value += text.slice(from, q);
          pos = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          if (!final) return recordStart;
          const openedOn = startLine + countChar(text, LF, recordStart, pos);
          throw new CsvError(
            "unterminated_quote",
            openedOn,
            `unterminated quote: the quoted field opened on line ${openedOn} is never closed`,
          );
        }
        lineBreaks += countChar(value, LF, 0, value.length);
        // After the closing quote: a comma, a line end or the end of the file.
        const next = pos < len ? text.charCodeAt(pos) : -1;
        if (next === 44) {
          fields.push(value);
          pos += 1;
          continue;
        }
        if (next === LF || (next === 13 && pos + 1 < len && text.charCodeAt(pos + 1) === LF)) {
          fields.push(value);
          pos += next === LF ? 1 : 2;
          complete = true;
          break;
        }
        if (next === -1 || (next === 13 && pos + 1 >= len)) {
          if (!final) return recordStart;
          fields.push(value);
          pos = len;
          complete = true;
          break;
        }
        // Text after a closing quote is not RFC 4180; keep it literally and report the row.
        problem ??= `field ${fields.length + 1} has text after its closing quote`;
        eol = nextLf(text, pos, eol);
        const comma = text.indexOf(",", pos);
        const end = comma >= 0 && (eol < 0 || comma < eol) ? comma : eol < 0 ? len : eol;
        if (end === eol || end === len) {
          if (end === len && !final) return recordStart;
          fields.push(value + trimCr(text, pos, end));
          pos = end === len ? len : end + 1;
          complete = true;
          break;
        }
        fields.push(value + text.slice(pos, end));
        pos = end + 1;
        continue;
      }
      // Unquoted field: up to the next comma on this line, or the line end.
      eol = nextLf(text, pos, eol);
      const comma = text.indexOf(",", pos);
      if (comma >= 0 && (eol < 0 || comma < eol)) {
        fields.push(text.slice(pos, comma));
        pos = comma + 1;
        continue;
      }
      if (eol < 0) {
        if (!final) return recordStart;
        fields.push(trimCr(text, pos, len));
        pos = len;
        complete = true;
        break;
      }
      fields.push(trimCr(text, pos, eol));
      pos = eol + 1;
      complete = true;
      break;
    }
    if (complete) {
      state.line += lineBreaks + 1;
      // A lone CR before the end of the file is a blank line too.
      if (fields.length === 1 && fields[0] === "" && text.charCodeAt(recordStart) !== QUOTE) continue;
      out.push(problem ? { line: startLine, fields, problem } : { line: startLine, fields });
    }
  }
  return pos;
}

function nextLf(text: string, pos: number, cached: number): number {
  if (cached === -1) return -1;
  if (cached >= pos) return cached;
  return text.indexOf("\n", pos);
}

function trimCr(text: string, start: number, end: number): string {
  return end > start && text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
}

function countChar(text: string, code: number, start: number, end: number): number {
  const ch = String.fromCharCode(code);
  let n = 0;
  let i = text.indexOf(ch, start);
  while (i >= 0 && i < end) {
    n++;
    i = text.indexOf(ch, i + 1);
  }
  return n;
}

function countByte(bytes: Uint8Array, byte: number): number {
  let n = 0;
  let i = bytes.indexOf(byte);
  while (i >= 0) {
    n++;
    i = bytes.indexOf(byte, i + 1);
  }
  return n;
}

function recordTooLarge(pending: string, line: number, max: number): CsvError {
  const opensQuote = pending.charCodeAt(0) === QUOTE || pending.includes(',"');
  return new CsvError(
    opensQuote ? "unterminated_quote" : "record_too_large",
    line,
    opensQuote
      ? `unterminated quote: the record starting on line ${line} opens a quoted field that does not close within ${max} characters`
      : `the record starting on line ${line} is longer than ${max} characters`,
  );
}

/** The trailing bytes of `chunk` (with what the previous chunk left) that start a multi-byte character not yet complete. */
function incompleteTail(chunk: Uint8Array, previous: Uint8Array): Uint8Array {
  const bytes = chunk.length >= 4 ? chunk : concatBytes(previous, chunk);
  const end = bytes.length;
  for (let back = 1; back <= Math.min(3, end); back++) {
    const b = bytes[end - back];
    if (b < 0x80) return new Uint8Array(0);
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? bytes.slice(end - back) : new Uint8Array(0);
    }
  }
  return new Uint8Array(0);
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function invalidUtf8(previousTail: Uint8Array, chunk: Uint8Array, newlinesBefore: number): CsvError {
  const bytes = concatBytes(previousTail, chunk);
  const offset = firstInvalidUtf8(bytes);
  const line = newlinesBefore + 1 + countByte(bytes.subarray(0, Math.max(0, offset)), LF);
  return new CsvError("invalid_utf8", line, `invalid UTF-8: bytes on line ${line} are not valid UTF-8 (save the file as UTF-8)`);
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence, or -1 (an incomplete end is valid here). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return -1;
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
