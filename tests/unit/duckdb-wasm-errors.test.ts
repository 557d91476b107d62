import { describe, expect, it } from 'vitest';
import { decodeDuckDbError, utf8OffsetToUtf16 } from '../../kernels/duckdb-wasm/errors.js';
import { blankCall } from '../../kernels/duckdb-wasm/table-names.js';

describe('decodeDuckDbError', () => {
  it('reads DuckDB’s JSON errors, prefixed or nested, converting byte offsets to UTF-16', () => {
    const sql = "select '😀', nope";
    const binder = decodeDuckDbError(new Error('{"exception_type":"Binder","exception_message":"Referenced column \\"nope\\" not found","position":"15"}'), sql);
    expect(binder).toEqual({ type: 'Binder', message: 'Binder Error: Referenced column "nope" not found', position: sql.indexOf('nope') });
    const nested = decodeDuckDbError(
      new Error(JSON.stringify({ exception_type: 'Parser', exception_message: 'Parser Error: {"exception_type":"Parser","exception_message":"syntax error","position":"3"}', position: '3' })),
      'abcdef'
    );
    expect(nested).toEqual({ type: 'Parser', message: 'Parser Error: syntax error', position: 3 });
  });

  it('counts a syntax error’s position in code points, as DuckDB’s parser does', () => {
    const sql = "select '😀', * fromm t";
    const info = decodeDuckDbError(new Error(`Parser Error: {"exception_type":"Parser","exception_message":"syntax error at or near \\"t\\"","position":"${[...sql].indexOf('t', 12)}"}`), sql);
    expect(info.position).toBe(sql.lastIndexOf('t'));
  });

  it('falls back to the LINE excerpt and caret of a text error, on any line, cut or not', () => {
    const sql = 'select 1;\nselect nope from t';
    const text = 'Binder Error: Referenced column "nope" not found\n\nLINE 2: select nope from t\n               ^';
    expect(decodeDuckDbError(new Error(text), sql)).toEqual({ type: 'Binder', message: 'Binder Error: Referenced column "nope" not found', position: sql.indexOf('nope') });
    const long = `select ${'a, '.repeat(30)}nope from t`;
    const at = long.indexOf('nope');
    const excerpt = long.slice(at - 40, at + 40);
    const cut = `Binder Error: x\n\nLINE 1: ...${excerpt}...\n${' '.repeat('LINE 1: ...'.length + 40)}^`;
    expect(decodeDuckDbError(new Error(cut), long).position).toBe(at);
  });

  it('keeps a message it cannot place as it is, with no position', () => {
    expect(decodeDuckDbError(new Error('worker crashed'), 'select 1')).toEqual({ type: null, message: 'worker crashed', position: null });
  });
});

describe('utf8OffsetToUtf16', () => {
  it('maps byte offsets past multi-byte characters and surrogate pairs', () => {
    expect(utf8OffsetToUtf16('aé漢😀b', 1 + 2 + 3 + 4)).toBe('aé漢😀'.length);
  });
});

describe('blankCall', () => {
  it('replaces a file-reading call with range(1), keeping every other offset', () => {
    const sql = "select * from read_csv('a(b).csv', header = true) join t on true";
    const out = blankCall(sql, sql.indexOf('read_csv'))!;
    expect(out).toHaveLength(sql.length);
    expect(out.indexOf('join t')).toBe(sql.indexOf('join t'));
    expect(out).toMatch(/from range\(1\) +join t/);
  });

  it('gives up on what is not a call', () => {
    expect(blankCall("attach 'x.db'", 7)).toBeNull();
  });
});
