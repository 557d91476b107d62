import { describe, expect, it } from 'vitest';
import { ParameterError, translateParams } from '../../kernels/mysql/params.js';

describe('translateParams ($n → ?)', () => {
  it('turns each reference into a placeholder and orders the values to match', () => {
    expect(translateParams('select * from t where a = $2 and b = $1', ['x', 'y'])).toEqual({
      sql: 'select * from t where a = ? and b = ?',
      values: ['y', 'x']
    });
  });

  it('repeats a value referenced twice and ignores values never referenced', () => {
    expect(translateParams('select $1, $1 + $3', [1, 2, 3])).toEqual({ sql: 'select ?, ? + ?', values: [1, 1, 3] });
  });

  it('reads multi-digit references whole', () => {
    const params = Array.from({ length: 12 }, (_, i) => i + 1);
    expect(translateParams('select $12, $1', params)).toEqual({ sql: 'select ?, ?', values: [12, 1] });
  });

  it.each([
    ["single-quoted strings", "select '$1', $1", "select '$1', ?"],
    ['double-quoted strings', 'select "a $1 b", $1', 'select "a $1 b", ?'],
    ['doubled quotes inside strings', "select 'it''s $1', $1", "select 'it''s $1', ?"],
    ['backslash-escaped quotes', "select 'a\\' $1', $1", "select 'a\\' $1', ?"],
    ['backquoted identifiers', 'select `col $1`, `a``$1`, $1', 'select `col $1`, `a``$1`, ?'],
    ['-- comments', 'select $1 -- not $1\n, 2', 'select ? -- not $1\n, 2'],
    ['# comments', 'select $1 # not $1\n', 'select ? # not $1\n'],
    ['block comments', 'select /* $1 */ $1', 'select /* $1 */ ?']
  ])('leaves $n inside %s alone', (_, sql, expected) => {
    expect(translateParams(sql, ['v']).sql).toBe(expected);
  });

  it('treats --$1 without a space as arithmetic, not a comment', () => {
    expect(translateParams('select 1--$1', [2])).toEqual({ sql: 'select 1--?', values: [2] });
  });

  it('translates inside executable comments, which the server runs', () => {
    expect(translateParams('select /*! $1 */ 1', [5]).sql).toBe('select /*! ? */ 1');
  });

  it('leaves identifiers containing $ alone', () => {
    expect(translateParams('select a$1, $1b, $1 from t', ['v'])).toEqual({ sql: 'select a$1, $1b, ? from t', values: ['v'] });
  });

  it('leaves an unterminated string for the server to report', () => {
    expect(translateParams("select $1, 'oops $1", ['v']).sql).toBe("select ?, 'oops $1");
  });

  it('refuses a reference beyond the values, with its position', () => {
    expect(() => translateParams('select $1, $3', [1, 2])).toThrow(ParameterError);
    try {
      translateParams('select $1, $3', [1, 2]);
    } catch (e) {
      expect((e as ParameterError).position).toBe(11);
      expect((e as Error).message).toMatch(/no parameter \$3/);
    }
    expect(() => translateParams('select $0', [1])).toThrow(/no parameter \$0/);
    expect(() => translateParams('select $1', [])).toThrow(/no values were given/);
  });

  it('refuses a bare ? placeholder outside strings', () => {
    expect(() => translateParams('select ? from t', [1])).toThrow(/not \?/);
    expect(translateParams("select '?' from t", []).sql).toBe("select '?' from t");
  });

  it('passes SQL without references through unchanged', () => {
    const sql = "select 'x' as a -- c\nfrom t";
    expect(translateParams(sql, [])).toEqual({ sql, values: [] });
  });
});
