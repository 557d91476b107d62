import { describe, expect, it } from 'vitest';
import { checkInputType, defaultInputValue, parseInputText, readInputConfig, validateInput, type InputConfig } from '../../src/lib/contract/inputs.js';

const config = (c: Partial<InputConfig> & Pick<InputConfig, 'type'>): InputConfig => ({ label: '', ...c });

describe('readInputConfig', () => {
  it('reads the keys of an input cell and treats cleared number fields as unset', () => {
    const r = readInputConfig({ type: 'slider', label: 'Threshold', value: 5, min: 0, max: '100', step: '' });
    expect(r).toEqual({ ok: true, config: { type: 'slider', label: 'Threshold', value: 5, min: 0, max: 100, step: undefined, optionsFrom: undefined } });
  });

  it('names the types when the type is unknown', () => {
    expect(readInputConfig({ type: 'range', label: '' })).toEqual({ ok: false, message: 'type must be one of: text, number, date, daterange, select, slider, checkbox' });
  });
});

describe('validateInput', () => {
  it('takes a number within bounds and says the bounds otherwise', () => {
    const c = config({ type: 'number', min: 0, max: 100 });
    expect(validateInput(c, 42)).toEqual({ ok: true, value: 42 });
    expect(validateInput(c, 101)).toEqual({ ok: false, message: 'must be a number between 0 and 100' });
    expect(validateInput(c, 'ten')).toEqual({ ok: false, message: 'must be a number between 0 and 100' });
    expect(validateInput(config({ type: 'number' }), Number.NaN)).toEqual({ ok: false, message: 'must be a number' });
    expect(validateInput(config({ type: 'number', min: 1 }), 0)).toEqual({ ok: false, message: 'must be a number ≥ 1' });
  });

  it('holds a slider to its step, decimal steps included', () => {
    const c = config({ type: 'slider', min: 0, max: 1, step: 0.1 });
    expect(validateInput(c, 0.3)).toEqual({ ok: true, value: 0.3 });
    expect(validateInput(c, 0.35)).toEqual({ ok: false, message: 'must be a number between 0 and 1 in steps of 0.1' });
  });

  it('holds a select to its options, and a number option matches its text', () => {
    expect(validateInput(config({ type: 'select', options: ['a', 'b'] }), 'c')).toEqual({ ok: false, message: 'must be one of: a, b' });
    expect(validateInput(config({ type: 'select', options: ['a', 'b'] }), 'b')).toEqual({ ok: true, value: 'b' });
    expect(validateInput(config({ type: 'select', options: [1, 2] }), '2')).toEqual({ ok: true, value: 2 });
  });

  it('checks a select with optionsFrom against the choices given, or by type without them', () => {
    const c = config({ type: 'select', optionsFrom: 'carriers.code' });
    expect(validateInput(c, 'AA')).toEqual({ ok: true, value: 'AA' });
    expect(validateInput(c, 'ZZ', ['AA', 'UA'])).toEqual({ ok: false, message: 'must be one of: AA, UA' });
  });

  it('takes only real calendar dates as YYYY-MM-DD', () => {
    const c = config({ type: 'date' });
    expect(validateInput(c, '2024-02-29')).toEqual({ ok: true, value: '2024-02-29' });
    for (const bad of ['2023-02-29', '2024-13-01', '2024-1-5', '05/01/2024', 20240101]) {
      expect(validateInput(c, bad)).toEqual({ ok: false, message: 'must be a date YYYY-MM-DD' });
    }
  });

  it('takes a date range whose from is on or before its to', () => {
    const c = config({ type: 'daterange' });
    expect(validateInput(c, ['2024-01-01', '2024-01-01'])).toEqual({ ok: true, value: ['2024-01-01', '2024-01-01'] });
    expect(validateInput(c, ['2024-02-01', '2024-01-01'])).toEqual({ ok: false, message: 'must be a date range with from ≤ to (2024-02-01 is after 2024-01-01)' });
    expect(validateInput(c, ['2024-01-01'])).toEqual({ ok: false, message: 'must be a date range [from, to] of dates YYYY-MM-DD' });
  });

  it('takes text and booleans as themselves', () => {
    expect(validateInput(config({ type: 'text' }), "'; drop table t; --")).toEqual({ ok: true, value: "'; drop table t; --" });
    expect(validateInput(config({ type: 'text' }), 3)).toEqual({ ok: false, message: 'must be text' });
    expect(validateInput(config({ type: 'checkbox' }), true)).toEqual({ ok: true, value: true });
    expect(validateInput(config({ type: 'checkbox' }), 'yes')).toEqual({ ok: false, message: 'must be true or false' });
  });
});

describe('checkInputType', () => {
  it('checks the type alone, without bounds', () => {
    expect(checkInputType('number', 1e9)).toEqual({ ok: true, value: 1e9 });
    expect(checkInputType('select', null)).toEqual({ ok: false, message: 'must be one of the options' });
  });
});

describe('parseInputText (URL ?name=value)', () => {
  it('reads numbers, booleans, dates and from,to ranges', () => {
    expect(parseInputText({ type: 'number' }, '42')).toBe(42);
    expect(parseInputText({ type: 'slider' }, '-1.5')).toBe(-1.5);
    expect(parseInputText({ type: 'number' }, '1e3')).toBe(1000);
    expect(parseInputText({ type: 'checkbox' }, 'true')).toBe(true);
    expect(parseInputText({ type: 'checkbox' }, '0')).toBe(false);
    expect(parseInputText({ type: 'date' }, '2024-05-01')).toBe('2024-05-01');
    expect(parseInputText({ type: 'daterange' }, '2024-01-01,2024-03-31')).toEqual(['2024-01-01', '2024-03-31']);
    expect(parseInputText({ type: 'select', options: [1, 2] }, '2')).toBe(2);
    expect(parseInputText({ type: 'text' }, ' a b ')).toBe(' a b ');
  });

  it('leaves text that does not parse as it is, so validation says what is wrong', () => {
    const c = config({ type: 'number', min: 0, max: 10 });
    const value = parseInputText(c, '12abc');
    expect(value).toBe('12abc');
    expect(validateInput(c, value)).toEqual({ ok: false, message: 'must be a number between 0 and 10' });
    expect(parseInputText({ type: 'checkbox' }, 'maybe')).toBe('maybe');
    expect(parseInputText({ type: 'daterange' }, '2024-01-01')).toBe('2024-01-01');
  });
});

describe('defaultInputValue', () => {
  it('gives a value that fits each type', () => {
    const today = new Date('2024-06-01T12:00:00Z');
    for (const type of ['text', 'number', 'date', 'daterange', 'slider', 'checkbox'] as const) {
      expect(validateInput(config({ type }), defaultInputValue({ type }, today)).ok).toBe(true);
    }
    expect(defaultInputValue({ type: 'select', options: ['x', 'y'] })).toBe('x');
  });
});
