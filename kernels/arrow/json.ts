/**
 * JSON of an Arrow result: `{"columns":[{"name","type"}],"rows":[[…],…]}`, one row per line.
 * Values are plain-values.ts's plain data: integers as numbers while exact (|n| ≤ 2^53 − 1),
 * beyond that as strings; every decimal (Decimal128 and `cairn.type: decimal` text) as a
 * string of its exact text; float NaN/±Infinity as strings; dates and times as ISO text.
 * The grid's JSON download and the server's report exports both write this.
 */
import type { Schema } from 'apache-arrow';
import { fieldTypeLabel, plainJson, toPlain } from './plain-values.js';
import { textChunks, textFormat, type ArrowSource, type ChunkOptions, type TextFormat } from './text-chunks.js';

/** JSON for results of `schema`: the columns, then the rows, then the close. Make one per result. */
export function jsonFormat(schema: Schema): TextFormat {
  const types = schema.fields.map((f) => f.type);
  const columns = schema.fields.map((f) => ({ name: f.name, type: fieldTypeLabel(f) }));
  return textFormat(
    `{"columns":${JSON.stringify(columns)},"rows":[\n`,
    (vectors, r) => {
      let line = '[';
      for (let c = 0; c < vectors.length; c++) {
        if (c > 0) line += ',';
        line += plainJson(toPlain(vectors[c](r), types[c]));
      }
      return line + ']';
    },
    ',\n',
    '\n]}\n'
  );
}

/** The JSON text of `source` in chunks. */
export function jsonChunks(source: ArrowSource, options: ChunkOptions = {}): Generator<string, void, undefined> {
  return textChunks(jsonFormat(source.schema), source, options);
}

/** The whole JSON as one string (for small results and tests; stream {@link jsonChunks} otherwise). */
export function toJson(source: ArrowSource): string {
  return [...jsonChunks(source)].join('');
}
