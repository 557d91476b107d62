import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, cellKey, sha256Hex } from '../../kernels/graph/index.js';

const base = { kind: 'sql', source: 'select 1', engine: 'browser', params: null, inputs: [] as Array<[string, string]> };

describe('sha256Hex', () => {
  it('matches the standard vectors and node:crypto, across block boundaries and UTF-8', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const text of ['x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'x'.repeat(1000), 'café ✈ 日本 🚀']) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });
});

describe('cellKey', () => {
  it('is the same for the same source, engine, parameters and inputs', () => {
    expect(cellKey(base)).toBe(cellKey({ ...base }));
  });

  it('changes with the source, the engine, the kind, the parameters or an input key', () => {
    const key = cellKey(base);
    expect(cellKey({ ...base, source: 'select 2' })).not.toBe(key);
    expect(cellKey({ ...base, engine: 'warehouse' })).not.toBe(key);
    expect(cellKey({ ...base, kind: 'js' })).not.toBe(key);
    expect(cellKey({ ...base, params: [1] })).not.toBe(key);
    expect(cellKey({ ...base, inputs: [['a', 'k1']] })).not.toBe(cellKey({ ...base, inputs: [['a', 'k2']] }));
  });

  it('does not depend on the order of inputs or of parameter object keys', () => {
    const one = cellKey({ ...base, params: { x: 1, y: 2 }, inputs: [['a', '1'], ['b', '2']] });
    const two = cellKey({ ...base, params: { y: 2, x: 1 }, inputs: [['b', '2'], ['a', '1']] });
    expect(one).toBe(two);
  });

  it('keeps apart values that a naive concatenation would merge', () => {
    expect(cellKey({ ...base, source: 'ab', engine: 'c' })).not.toBe(cellKey({ ...base, source: 'a', engine: 'bc' }));
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth and drops undefined properties', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: undefined, e: 'x' })).toBe('{"b":[1,{"c":2,"d":1}],"e":"x"}');
  });

  it('refuses what JSON cannot carry instead of collapsing it', () => {
    expect(() => canonicalJson(NaN)).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
  });
});
