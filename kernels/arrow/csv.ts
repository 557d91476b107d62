/**
 * CSV of an Arrow result, RFC 4180: a header line, CRLF line ends, fields quoted when they
 * hold a comma, quote, CR or LF. Values are plain-values.ts's raw text: every digit,
 * decimals with their scale (`12.50`), no thousands separators, ISO dates, null as an empty
 * field. The grid's CSV download and the server's report exports both write this.
 */
import { rawFormatter } from './plain-values.js';
import { rowChunks, type ArrowSource, type ChunkOptions } from './text-chunks.js';

/** A CSV field: quoted when it holds a comma, quote, CR or LF. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** The CSV text in chunks: the header line first, then rows (each chunk ends with a line end). */
export function* csvChunks(source: ArrowSource, options: ChunkOptions = {}): Generator<string, void, undefined> {
  const fields = source.schema.fields;
  const formats = fields.map((f) => rawFormatter(f.type));
  yield fields.map((f) => csvField(f.name)).join(',') + '\r\n';
  const row = (vectors: readonly { get(i: number): unknown }[], r: number) => {
    let line = '';
    for (let c = 0; c < vectors.length; c++) {
      if (c > 0) line += ',';
      line += csvField(formats[c](vectors[c].get(r)));
    }
    return line + '\r\n';
  };
  yield* rowChunks(source, row, '', options);
}

/** The whole CSV as one string (for small results and tests; stream {@link csvChunks} otherwise). */
export function toCsv(source: ArrowSource): string {
  return [...csvChunks(source)].join('');
}
