/**
 * JSON of an Arrow result: `{"columns":[{"name","type"}],"rows":[[…],…]}`, one row per line.
 * Values are plain-values.ts's plain data: integers as numbers while exact (|n| ≤ 2^53 − 1),
 * beyond that as strings; every decimal (Decimal128 and `cairn.type: decimal` text) as a
 * string of its exact text; float NaN/±Infinity as strings; dates and times as ISO text.
 * The grid's JSON download and the server's report exports both write this.
 */
import { fieldTypeLabel, plainJson, toPlain } from './plain-values.js';
import { rowChunks, type ArrowSource, type ChunkOptions } from './text-chunks.js';

/** The JSON text in chunks: the columns and the opening of `rows`, the rows, then the close. */
export function* jsonChunks(source: ArrowSource, options: ChunkOptions = {}): Generator<string, void, undefined> {
  const fields = source.schema.fields;
  const types = fields.map((f) => f.type);
  const columns = fields.map((f) => ({ name: f.name, type: fieldTypeLabel(f) }));
  yield `{"columns":${JSON.stringify(columns)},"rows":[\n`;
  const row = (vectors: readonly { get(i: number): unknown }[], r: number) => {
    let line = '[';
    for (let c = 0; c < vectors.length; c++) {
      if (c > 0) line += ',';
      line += plainJson(toPlain(vectors[c].get(r), types[c]));
    }
    return line + ']';
  };
  yield* rowChunks(source, row, ',\n', options);
  yield '\n]}\n';
}

/** The whole JSON as one string (for small results and tests; stream {@link jsonChunks} otherwise). */
export function toJson(source: ArrowSource): string {
  return [...jsonChunks(source)].join('');
}
