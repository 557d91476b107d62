/**
 * Errors are values (the Observable runtime's rule): a cell that cannot run carries one of
 * these and its dependents are blocked by it; nothing is thrown past the graph or runtime.
 */

/** Why a cell has no value: a static problem the graph found, or a failed run. */
export type CellErrorKind =
  | 'syntax' // its source does not parse
  | 'duplicate' // another cell has the same name
  | 'cycle' // it depends on itself through other cells
  | 'undefined' // a JS or chart cell reads a name nothing defines
  | 'ambiguous' // a name it reads is both a cell and a file or sample
  | 'key' // its parameters cannot be keyed (not JSON)
  | 'input' // an input cell's value does not fit its type, bounds or options
  | 'runtime'; // running it failed

/** A cell's error, with the cell it belongs to and, when known, where in its source. */
export interface CellError {
  cellId: string;
  kind: CellErrorKind;
  message: string;
  /** 0-based offset into the cell's source, when the error has one. */
  position: number | null;
  /** What a failed run threw, kept for the console; not shown to collaborators. */
  cause?: unknown;
}

/** A {@link CellError} value. */
export function cellError(cellId: string, kind: CellErrorKind, message: string, position: number | null = null, cause?: unknown): CellError {
  return cause === undefined ? { cellId, kind, message, position } : { cellId, kind, message, position, cause };
}
