/**
 * A parse failure as a value: dependency extraction never throws on bad user code, it
 * returns one of these so the cell shows the error and the rest of the notebook runs.
 */

/** Why a cell's source could not be parsed, and where. */
export interface ParseError {
  message: string;
  /** 0-based character offset into the source, when the parser says. */
  position: number | null;
}

/** The outcome of analysing a cell's source: a value, or a {@link ParseError}. */
export type Parsed<T> = ({ ok: true } & T) | { ok: false; error: ParseError };
