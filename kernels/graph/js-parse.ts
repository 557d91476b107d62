/**
 * The one place JS cell source meets acorn, so dependency analysis and the value rewrite
 * accept exactly the same language.
 */
import { parse, parseExpressionAt, type Options, type Program } from 'acorn';
import type { ParseError } from './parse-error.js';
import { errorMessage } from '../error-message.js';

/**
 * A JS cell is an async function body that may also `import`: `sourceType: 'module'` is the
 * only mode acorn accepts `import` declarations in, and the two `allow…OutsideFunction`
 * flags admit the body's top-level `return` and `await`. Module code is strict, which is
 * slightly stricter than the sloppy function body the sandbox builds; nothing accepted
 * here fails there.
 */
const OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'module',
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
  allowHashBang: false
};

/**
 * Parse a JS cell; a syntax error comes back as a value with its offset, never thrown.
 *
 * As in a REPL, a cell that is one braced group which reads as an object literal
 * (`{ a, b }`, `{ x: 1, y: 2 }`) is that object, not a block: nobody writes a lone block
 * cell on purpose. The AST keeps offsets into the original text either way.
 */
export function parseJsCell(source: string): { ok: true; program: Program } | { ok: false; error: ParseError } {
  let program: Program | null = null;
  let error: ParseError | null = null;
  try {
    program = parse(source, OPTIONS);
  } catch (e) {
    error = toParseError(e);
  }
  const lone = program === null || (program.body.length === 1 && program.body[0].type === 'BlockStatement');
  if (lone && source.trimStart().startsWith('{')) {
    const object = parseObjectCell(source);
    if (object) return { ok: true, program: object };
  }
  if (program === null) return { ok: false, error: error! };
  for (const statement of program.body) {
    if (statement.type.startsWith('Export')) {
      // A cell shares exactly one value, under its name; `export` would promise more.
      return {
        ok: false,
        error: { message: "'export' is not allowed in a cell: its value is shared under the cell's name", position: statement.start }
      };
    }
  }
  return { ok: true, program };
}

/** The cell as one object-literal expression statement, or null when it is not one. */
function parseObjectCell(source: string): Program | null {
  const at = source.indexOf('{');
  try {
    const expression = parseExpressionAt(source, at, OPTIONS);
    if (expression.type !== 'ObjectExpression') return null;
    // Only comments, whitespace and semicolons may follow.
    const rest = parse(source.slice(expression.end), OPTIONS);
    if (rest.body.some((s) => s.type !== 'EmptyStatement')) return null;
    const statement = { type: 'ExpressionStatement', start: expression.start, end: expression.end, expression };
    return { type: 'Program', start: 0, end: source.length, body: [statement], sourceType: 'module' } as unknown as Program;
  } catch {
    // Not an object literal: the block reading (or its syntax error) stands.
    return null;
  }
}

function toParseError(e: unknown): ParseError {
  if (e instanceof SyntaxError) {
    const pos = (e as SyntaxError & { pos?: unknown }).pos;
    // acorn appends " (line:column)"; the offset carries that, so the message stays short.
    return {
      message: e.message.replace(/ \(\d+:\d+\)$/, ''),
      position: typeof pos === 'number' ? pos : null
    };
  }
  // Not a syntax error: a bug in the parser. Still a value, so one cell cannot break the page.
  return { message: errorMessage(e), position: null };
}

/** An AST node as acorn builds it, seen generically (every ESTree node has `type`, `start`, `end`). */
export interface AnyNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** The direct child nodes of `node`, in source order; generic so no walker package is needed. */
export function childNodes(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) out.push(item);
    } else if (isNode(value)) {
      out.push(value);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * Visit `root` and its descendants depth-first; returning false from `visit` skips a
 * node's children (used to stay out of nested functions).
 */
export function walk(root: AnyNode, visit: (node: AnyNode, parent: AnyNode | null) => boolean | void): void {
  const go = (node: AnyNode, parent: AnyNode | null): void => {
    if (visit(node, parent) === false) return;
    for (const child of childNodes(node)) go(child, node);
  };
  go(root, null);
}

/** Node types that start a new function: `return` and `await` inside them are not the cell's. */
export const FUNCTION_TYPES: ReadonlySet<string> = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression'
]);
