/**
 * CSV of an Arrow result, RFC 4180: a header line, CRLF line ends, fields quoted when they
 * hold a comma, quote, CR or LF. Values are plain-values.ts's raw text: every digit,
 * decimals with their scale (`12.50`), no thousands separators, ISO dates, null as an empty
 * field. The grid's CSV download and the server's report exports both write this.
 */
import type { Schema } from 'apache-arrow';
import { rawFormatter } from './plain-values.js';
import { textChunks, textFormat, type ArrowSource, type ChunkOptions, type TextFormat } from './text-chunks.js';

/** A CSV field: quoted when it holds a comma, quote, CR or LF. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** CSV for results of `schema`: the header line, then each row with its line end. Make one per result. */
export function csvFormat(schema: Schema): TextFormat {
  const formats = schema.fields.map((f) => rawFormatter(f.type));
  const header = schema.fields.map((f) => csvField(f.name)).join(',') + '\r\n';
  return textFormat(
    header,
    (vectors, r) => {
      let line = '';
      for (let c = 0; c < vectors.length; c++) {
        if (c > 0) line += ',';
        line += csvField(formats[c](vectors[c](r)));
      }
      return line + '\r\n';
    },
    '',
    ''
  );
}

/** The CSV text of `source` in chunks (the header line first). */
export function csvChunks(source: ArrowSource, options: ChunkOptions = {}): Generator<string, void, undefined> {
  return textChunks(csvFormat(source.schema), source, options);
}

/** The whole CSV as one string (for small results and tests; stream {@link csvChunks} otherwise). */
export function toCsv(source: ArrowSource): string {
  return [...csvChunks(source)].join('');
}
