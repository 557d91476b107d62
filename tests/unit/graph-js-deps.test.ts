import { describe, expect, it } from 'vitest';
import { jsDependencies } from '../../kernels/graph/index.js';

/** The inputs of `source`, or a failure that shows the error. */
function inputs(source: string, builtins?: string[]): string[] {
  const deps = jsDependencies(source, { builtins });
  if (!deps.ok) throw new Error(`unexpected syntax error: ${deps.error.message}`);
  return deps.inputs;
}

describe('jsDependencies', () => {
  it('reads free identifiers as inputs, in order of first use', () => {
    expect(inputs('top3.numRows * 2 + flights.numRows')).toEqual(['top3', 'flights']);
  });

  it('does not count locals, function parameters or destructured names', () => {
    const source = `
      const { a, b: [c], ...rest } = data;
      let [d = fallback] = list;
      function f(p, { q }, ...more) { return p + q + more.length + a + c + d + rest; }
      const g = (x) => x * factor;
      f(1, {}) + g(2);`;
    expect(inputs(source)).toEqual(['data', 'fallback', 'list', 'factor']);
  });

  it('sees through closures: a free name inside a nested function is still an input', () => {
    expect(inputs('const h = () => () => deep + 1; h()()')).toEqual(['deep']);
  });

  it('respects shadowing: a local with a cell name hides the cell', () => {
    expect(inputs('const flights = 1; { let airports = 2; airports } flights')).toEqual([]);
    expect(inputs('{ let airports = 2; } airports')).toEqual(['airports']);
    expect(inputs('function f(flights) { return flights } f(airports)')).toEqual(['airports']);
  });

  it('hoists var and function declarations to the cell', () => {
    expect(inputs('if (cond) { var v = 1 } v + later(); function later() { return 2 }')).toEqual(['cond']);
  });

  it('treats imported bindings, including namespaces, as locals', () => {
    const deps = jsDependencies('import * as Plot from "@observablehq/plot"; import d3, { max as m } from "d3"; Plot.dot(rows, { x: m(xs) })');
    expect(deps).toMatchObject({ ok: true, inputs: ['rows', 'xs'], imports: ['@observablehq/plot', 'd3'] });
  });

  it('excludes JS and web globals, and lists them separately', () => {
    const deps = jsDependencies('const t = await fetch(url); console.log(Math.max(...JSON.parse(t)), new Date(), window.x)');
    expect(deps).toMatchObject({ ok: true, inputs: ['url'], globals: ['fetch', 'console', 'Math', 'JSON', 'Date', 'window'] });
  });

  it('lets a cell be named like a window property such as name, top or status', () => {
    expect(inputs('name + top + status')).toEqual(['name', 'top', 'status']);
  });

  it('treats builtins the sandbox provides like globals', () => {
    expect(inputs('html`<b>${x}</b>`', ['html'])).toEqual(['x']);
  });

  it('accepts top-level await and return', () => {
    expect(inputs('const rows = await query(sql); return rows.length')).toEqual(['query', 'sql']);
  });

  it('scopes a named class expression to its own body, and catch parameters to their block', () => {
    expect(inputs('const A = class B { m() { return B } }; A')).toEqual([]);
    expect(inputs('try { risky() } catch ({ message }) { message }')).toEqual(['risky']);
  });

  it('does not count labels, property names, new.target or import.meta-like syntax', () => {
    expect(inputs('outer: for (const r of rows) { if (r.skip) continue outer; }')).toEqual(['rows']);
    expect(inputs('({ key: value, [computed]: 1 }).key; function F() { return new.target }')).toEqual(['value', 'computed']);
  });

  it('records where each input is first used', () => {
    const deps = jsDependencies('let z = 1;\nz + alpha');
    expect(deps.ok && deps.positions).toEqual({ alpha: 15 });
  });

  it('reads a lone braced cell as an object literal, as a REPL does', () => {
    expect(inputs('{ x: a, y: b }')).toEqual(['a', 'b']);
  });

  it('returns a syntax error as a value with its offset, never throws', () => {
    expect(jsDependencies('const x = ;')).toEqual({ ok: false, error: { message: 'Unexpected token', position: 10 } });
  });

  it('refuses export: a cell shares one value, under its name', () => {
    const deps = jsDependencies('const a = 1;\nexport const b = 2');
    expect(deps.ok).toBe(false);
    expect(!deps.ok && deps.error.position).toBe(13);
  });
});
