/**
 * Turns a JS cell into the body of an async function whose result is the cell's value
 * (README.md, "JS cells"): what it `return`s, or else the value of its last top-level
 * expression statement, as in a REPL — so `top3.numRows * 2` is a whole cell. This only
 * rewrites text; the sandbox compiles and runs it (`new AsyncFunction(...inputs, body)`).
 *
 * The code is otherwise left as written, and line numbers are kept, so a stack trace from
 * the sandbox points at the line the author sees.
 */
import { FUNCTION_TYPES, parseJsCell, walk, type AnyNode } from './js-parse.js';
import type { Parsed } from './parse-error.js';

/** Options for {@link jsCellBody}. */
export interface JsBodyOptions {
  /**
   * What a static `import` becomes a call of: `import` (the default) gives `await
   * import("d3")`; a sandbox with its own module table passes the name of its loader.
   */
  importer?: string;
}

/** A JS cell ready to be compiled as an async function body. */
export interface JsBody {
  body: string;
  /** Where the value comes from: an explicit `return`, the last expression, or nowhere (`undefined`). */
  valueFrom: 'return' | 'expression' | 'none';
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The async function body for a JS cell; a syntax error is returned as a value. */
export function jsCellBody(source: string, options: JsBodyOptions = {}): Parsed<JsBody> {
  const parsed = parseJsCell(source);
  if (!parsed.ok) return parsed;
  const body = parsed.program.body as unknown as AnyNode[];
  const importer = options.importer ?? 'import';
  const edits: Edit[] = [];
  // Static imports are hoisted in a module; a function body has none, so their dynamic
  // equivalents all go first, on the first line (line numbers below stay put).
  const hoisted: string[] = [];

  for (const statement of body) {
    if (statement.type !== 'ImportDeclaration') continue;
    hoisted.push(importToConst(statement, source, importer));
    edits.push({ start: statement.start, end: statement.end, text: blankKeepingLines(source.slice(statement.start, statement.end)) });
  }

  let valueFrom: JsBody['valueFrom'] = 'none';
  if (hasOwnReturn(body)) {
    valueFrom = 'return';
  } else {
    const last = lastIndexOf(body, (s) => s.type === 'ExpressionStatement');
    if (last >= 0) {
      valueFrom = 'expression';
      const statement = body[last];
      const expression = statement.expression as AnyNode;
      const text = source.slice(expression.start, expression.end);
      // Statements after it can only be declarations or control flow; when nothing that
      // runs follows, `return` it; otherwise keep the value and return it at the end.
      const runsAfter = body.slice(last + 1).some((s) => s.type !== 'EmptyStatement' && s.type !== 'FunctionDeclaration' && s.type !== 'ImportDeclaration');
      if (!runsAfter) {
        edits.push({ start: statement.start, end: statement.end, text: `return (${text});` });
      } else {
        const holder = freshName(source, '__cairn_value');
        hoisted.unshift(`let ${holder};`);
        edits.push({ start: statement.start, end: statement.end, text: `${holder} = (${text});` });
        edits.push({ start: source.length, end: source.length, text: `\n;return ${holder};` });
      }
    }
  }

  let out = source;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return { ok: true, body: (hoisted.length ? hoisted.join(' ') + ' ' : '') + out, valueFrom };
}

/** True when the cell itself returns (a `return` outside any nested function). */
function hasOwnReturn(body: AnyNode[]): boolean {
  let found = false;
  for (const statement of body) {
    walk(statement, (node) => {
      if (found || FUNCTION_TYPES.has(node.type)) return false;
      if (node.type === 'ReturnStatement') found = true;
    });
  }
  return found;
}

function lastIndexOf<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i])) return i;
  return -1;
}

/** `import d, {a, b as c} from "m"` as `const {default: d, a, b: c} = await import("m");`. */
function importToConst(node: AnyNode, source: string, importer: string): string {
  const from = node.source as AnyNode;
  const attributes = (node.attributes as AnyNode[] | undefined) ?? [];
  const withClause = attributes.length
    ? `, { with: { ${attributes.map((a) => source.slice(a.start, a.end)).join(', ')} } }`
    : '';
  const load = `await ${importer}(${JSON.stringify(from.value)}${withClause})`;
  const specifiers = node.specifiers as AnyNode[];
  if (specifiers.length === 0) return `${load};`;
  const namespace = specifiers.find((s) => s.type === 'ImportNamespaceSpecifier');
  const fields: string[] = [];
  for (const s of specifiers) {
    const local = (s.local as AnyNode).name as string;
    if (s.type === 'ImportDefaultSpecifier') fields.push(`default: ${local}`);
    else if (s.type === 'ImportSpecifier') {
      const imported = s.imported as AnyNode;
      const key = imported.type === 'Identifier' ? (imported.name as string) : JSON.stringify(imported.value);
      fields.push(key === local ? local : `${key}: ${local}`);
    }
  }
  if (!namespace) return `const {${fields.join(', ')}} = ${load};`;
  const ns = (namespace.local as AnyNode).name as string;
  // `import d, * as ns from "m"`: the namespace object, and the default read from it.
  return fields.length ? `const ${ns} = ${load}, {${fields.join(', ')}} = ${ns};` : `const ${ns} = ${load};`;
}

/** Only the line breaks of `text`, so the lines after it keep their numbers. */
function blankKeepingLines(text: string): string {
  return text.replace(/[^\n]/g, '');
}

/** `base`, or `base1`, `base2`, … : the first that does not occur in `source`. */
function freshName(source: string, base: string): string {
  let name = base;
  for (let i = 1; source.includes(name); i++) name = `${base}${i}`;
  return name;
}
