import { describe, expect, it } from 'vitest';
import { bindInputs, InputParameterError } from '../../kernels/input-params.js';
import { inputNames, scanPlaceholders } from '../../kernels/sql-placeholders.js';
import { translateParams } from '../../kernels/mysql/params.js';

const inputs = {
  threshold: { type: 'number', value: 5 },
  who: { type: 'text', value: "'; drop table t; --\"$x" },
  day: { type: 'date', value: '2024-05-01' },
  period: { type: 'daterange', value: ['2024-01-01', '2024-03-31'] },
  flag: { type: 'checkbox', value: true }
};

describe('bindInputs', () => {
  it('makes each $name the next positional parameter and binds its value', () => {
    expect(bindInputs('select * from t where x > $threshold and name = $who', inputs, 'duckdb')).toMatchObject({
      sql: 'select * from t where x > $1 and name = $2',
      params: [5, "'; drop table t; --\"$x"],
      names: ['$threshold', '$who']
    });
  });

  it('reuses the parameter of a name read twice', () => {
    expect(bindInputs('select $threshold, $threshold + 1', inputs, 'duckdb')).toMatchObject({ sql: 'select $1, $1 + 1', params: [5] });
  });

  it('numbers after the positional parameters the caller binds, which still work', () => {
    expect(bindInputs('select $1, $threshold, $2', inputs, 'duckdb', ['a', 'b'])).toMatchObject({ sql: 'select $1, $3, $2', params: ['a', 'b', 5] });
  });

  it('binds dates as dates and a date range as its two ends', () => {
    const bound = bindInputs('select * from t where d = $day or d between $period.from and $period.to', inputs, 'duckdb');
    expect(bound.sql).toBe('select * from t where d = CAST($1 AS DATE) or d between CAST($2 AS DATE) and CAST($3 AS DATE)');
    expect(bound.params).toEqual(['2024-05-01', '2024-01-01', '2024-03-31']);
    expect(bound.names).toEqual(['$day', '$period.from', '$period.to']);
  });

  it('gives PostgreSQL numbers and booleans their type, which its text parameters lack', () => {
    expect(bindInputs('select $threshold, $flag, $who', inputs, 'postgres').sql).toBe('select CAST($1 AS numeric), CAST($2 AS boolean), $3');
    expect(bindInputs('select $threshold, $flag', inputs, 'mysql').sql).toBe('select $1, $2');
  });

  it.each([
    ['single-quoted strings', "select '$threshold', $threshold", "select '$threshold', $1"],
    ['doubled quotes in strings', "select 'it''s $threshold', $threshold", "select 'it''s $threshold', $1"],
    ['quoted identifiers', 'select "$threshold", $threshold', 'select "$threshold", $1'],
    ['line comments', 'select $threshold -- $who\n', 'select $1 -- $who\n'],
    ['block comments', 'select /* $who */ $threshold', 'select /* $who */ $1'],
    ['dollar-quoted text', 'select $$ $who $$, $tag$ $who $tag$, $threshold', 'select $$ $who $$, $tag$ $who $tag$, $1'],
    ['identifiers containing $', 'select a$who, $threshold', 'select a$who, $1']
  ])('leaves $name inside %s alone (PostgreSQL and DuckDB)', (_, sql, expected) => {
    expect(bindInputs(sql, inputs, 'duckdb').sql).toBe(expected);
  });

  it('nests block comments on PostgreSQL, as it does', () => {
    expect(bindInputs('select /* a /* $who */ $who */ $threshold', inputs, 'postgres').sql).toBe('select /* a /* $who */ $who */ CAST($1 AS numeric)');
  });

  it("reads E'…' strings with backslash escapes", () => {
    expect(bindInputs("select E'a\\' $who', $threshold", inputs, 'postgres').params).toEqual([5]);
  });

  it.each([
    ['backslash escapes in strings', "select 'a\\' $who', $threshold"],
    ['double-quoted strings', 'select "a $who", $threshold'],
    ['backquoted identifiers', 'select `$who`, $threshold'],
    ['# comments', 'select $threshold # $who\n'],
    ['-- comments', 'select $threshold -- $who\n']
  ])('follows MySQL: leaves $name inside %s alone', (_, sql) => {
    const bound = bindInputs(sql, inputs, 'mysql');
    expect(bound.params).toEqual([5]);
    // The engine then turns $n into ? with the same tokenizing.
    expect(translateParams(bound.sql, bound.params).values).toEqual([5]);
  });

  it('says which name has no input, and where', () => {
    const err = (() => {
      try {
        bindInputs('select 1 where x > $nope', inputs, 'duckdb');
      } catch (e) {
        return e as InputParameterError;
      }
    })();
    expect(err).toBeInstanceOf(InputParameterError);
    expect(err!.message).toBe('$nope is not an input: no input cell is named nope');
    expect(err!.position).toBe(19);
  });

  it('asks for .from and .to on a date range, and refuses them elsewhere', () => {
    expect(() => bindInputs('select $period', inputs, 'duckdb')).toThrow('$period is a date range: read its ends as $period.from and $period.to');
    expect(() => bindInputs('select $day.from', inputs, 'duckdb')).toThrow('$day.from: only a date range input has .from and .to ($day is a date input)');
  });

  it('maps an engine error offset in the bound SQL back to the SQL as written', () => {
    const sql = 'select $day, $threshold, oops';
    const bound = bindInputs(sql, inputs, 'postgres');
    expect(bound.toOriginal(bound.sql.indexOf('oops'))).toBe(sql.indexOf('oops'));
    expect(bound.toOriginal(bound.sql.indexOf('$2'))).toBe(sql.indexOf('$threshold'));
    expect(bound.toOriginal(3)).toBe(3);
  });

  it('does not take inherited object keys for inputs', () => {
    expect(() => bindInputs('select $constructor', inputs, 'duckdb')).toThrow('$constructor is not an input');
  });
});

describe('scanPlaceholders', () => {
  it('finds positional, named and anonymous placeholders', () => {
    expect(scanPlaceholders('select $1, $a, $b.to, ?').map((p) => p.kind)).toEqual(['positional', 'named', 'named', 'anonymous']);
  });

  it('names the inputs a SQL text reads with their first offset', () => {
    expect([...inputNames("select $a, '$b', $c.from, $a")]).toEqual([
      ['a', 7],
      ['c', 17]
    ]);
  });
});
