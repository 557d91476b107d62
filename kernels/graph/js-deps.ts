/**
 * The inputs of a JS cell: the free identifiers its code reads (not declared in the cell,
 * not imported, not a JS global). Like the Observable runtime, a name is found by real
 * scope analysis (acorn + periscopic), not by regex, so locals, parameters, destructuring,
 * closures and shadowing are all handled.
 */
import { analyze } from 'periscopic';
import { isJsGlobal } from './js-globals.js';
import { parseJsCell, walk, type AnyNode } from './js-parse.js';
import type { Parsed } from './parse-error.js';

/** What a JS cell reads from outside itself. */
export interface JsDeps {
  /** Free identifiers that are not globals, in order of first use: the cell's inputs. */
  inputs: string[];
  /** Globals the cell reads (`Math`, `fetch`, …), in order of first use; not inputs. */
  globals: string[];
  /** Module specifiers the cell imports (`d3`, `@observablehq/plot`), in source order. */
  imports: string[];
  /** Offset of each free identifier's first use, for pointing an error at it. */
  positions: Record<string, number>;
}

/** Options for {@link jsDependencies}. */
export interface JsDepsOptions {
  /** Extra names the sandbox provides (builtins), treated like globals. */
  builtins?: Iterable<string>;
}

/** The inputs of a JS cell's source; a syntax error is returned as a value with its offset. */
export function jsDependencies(source: string, options: JsDepsOptions = {}): Parsed<JsDeps> {
  const parsed = parseJsCell(source);
  if (!parsed.ok) return parsed;
  const program = parsed.program as unknown as AnyNode;
  const builtins = new Set(options.builtins ?? []);

  const imported = new Set<string>();
  const imports: string[] = [];
  for (const statement of program.body as AnyNode[]) {
    if (statement.type === 'ImportDeclaration') {
      imports.push(String((statement.source as AnyNode).value));
      // periscopic declares default and named specifiers but not `* as ns`; collect all here.
      for (const spec of statement.specifiers as AnyNode[]) imported.add((spec.local as AnyNode).name as string);
    }
  }

  scopeNamedClassExpressions(program);
  const { globals: free } = analyze(program as unknown as Parameters<typeof analyze>[0]);

  const refs = [...free.entries()]
    .map(([name, node]) => ({ name, position: (node as unknown as AnyNode).start }))
    // `new.target` and `import.meta` surface as identifiers `new` / `import`: reserved words, never inputs.
    .filter(({ name }) => name !== 'new' && name !== 'import' && !imported.has(name))
    .sort((a, b) => a.position - b.position);

  const deps: JsDeps = { inputs: [], globals: [], imports, positions: {} };
  for (const { name, position } of refs) {
    if (isJsGlobal(name) || builtins.has(name)) deps.globals.push(name);
    else {
      deps.inputs.push(name);
      deps.positions[name] = position;
    }
  }
  return { ok: true, ...deps };
}

/**
 * periscopic scopes a named function expression's own name but not a named class
 * expression's (`const A = class B { m() { return B } }`), so `B` would look free. Wrapping
 * the class in a named function expression node gives `B` exactly the class's scope
 * (its body and `extends` clause). Only the throwaway analysis AST is changed.
 */
function scopeNamedClassExpressions(program: AnyNode): void {
  walk(program, (node) => {
    if (node.type !== 'ClassExpression' || !node.id) return;
    const id = node.id;
    const inner: AnyNode = { ...node, id: null };
    for (const key of Object.keys(node)) delete node[key];
    Object.assign(node, {
      type: 'CallExpression',
      start: inner.start,
      end: inner.end,
      arguments: [],
      optional: false,
      callee: {
        type: 'FunctionExpression',
        start: inner.start,
        end: inner.end,
        id,
        params: [],
        body: { type: 'BlockStatement', start: inner.start, end: inner.end, body: [{ type: 'ExpressionStatement', start: inner.start, end: inner.end, expression: inner }] }
      }
    });
  });
}
