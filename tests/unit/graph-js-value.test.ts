import { describe, expect, it } from 'vitest';
import { jsCellBody } from '../../kernels/graph/index.js';

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<unknown>;

/** Compile the cell as the sandbox would, and run it with `inputs` and a fake module loader. */
async function evaluate(source: string, inputs: Record<string, unknown> = {}, modules: Record<string, unknown> = {}): Promise<unknown> {
  const result = jsCellBody(source, { importer: '__load' });
  if (!result.ok) throw new Error(result.error.message);
  const names = Object.keys(inputs);
  const fn = new AsyncFunction('__load', ...names, result.body);
  return fn(async (specifier: string) => modules[specifier], ...names.map((n) => inputs[n]));
}

describe('jsCellBody', () => {
  it('makes a lone expression the value, so `top3.numRows * 2` is a whole cell', async () => {
    const result = jsCellBody('top3.numRows * 2');
    expect(result).toEqual({ ok: true, body: 'return (top3.numRows * 2);', valueFrom: 'expression' });
    expect(await evaluate('top3.numRows * 2', { top3: { numRows: 3 } })).toBe(6);
  });

  it('uses the last expression statement after declarations', async () => {
    expect(await evaluate('const a = 1;\nlet b = a + 1;\na + b')).toBe(3);
  });

  it('returns what an explicit return returns, and leaves the code as written', async () => {
    const source = 'if (n > 1) return "many";\n"few"';
    expect(jsCellBody(source)).toMatchObject({ ok: true, body: source, valueFrom: 'return' });
    expect(await evaluate(source, { n: 2 })).toBe('many');
    expect(await evaluate(source, { n: 0 })).toBeUndefined();
  });

  it('ignores returns inside nested functions when looking for the cell’s own', async () => {
    expect(await evaluate('const f = () => { return 1 };\nf() + 1')).toBe(2);
  });

  it('keeps statements after the last expression running, and still returns its value', async () => {
    const log: number[] = [];
    expect(await evaluate('sink.push(1); 40 + 2;\nfor (const i of [2, 3]) sink.push(i)', { sink: log })).toBe(42);
    expect(log).toEqual([1, 2, 3]);
  });

  it('awaits at top level', async () => {
    expect(await evaluate('const v = await Promise.resolve(20);\nv + 1')).toBe(21);
  });

  it('is undefined when there is no expression and no return', async () => {
    expect(jsCellBody('const a = 1')).toMatchObject({ ok: true, valueFrom: 'none' });
    expect(await evaluate('const a = 1')).toBeUndefined();
  });

  it('takes the last of a sequence and survives a trailing line comment', async () => {
    expect(await evaluate('1, 2, 3 // three')).toBe(3);
  });

  it('reads a lone braced cell as an object literal', async () => {
    expect(await evaluate('{ a: 1, b }', { b: 2 })).toEqual({ a: 1, b: 2 });
    expect(await evaluate('{ const a = 1; a + 1 }')).toBeUndefined();
  });

  it('turns static imports into awaited loads, first, keeping line numbers', async () => {
    const source = 'const n = ns.k + d + m;\nimport * as ns from "a";\nimport d, { max as m } from "b";\nn';
    const result = jsCellBody(source, { importer: '__load' });
    expect(result.ok && result.body.split('\n').length).toBe(source.split('\n').length);
    expect(await evaluate(source, {}, { a: { k: 1 }, b: { default: 10, max: 100 } })).toBe(111);
  });

  it('returns a syntax error as a value with its offset', () => {
    expect(jsCellBody('1 +')).toEqual({ ok: false, error: { message: 'Unexpected token', position: 3 } });
  });
});
