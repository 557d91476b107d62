/**
 * Input cells (README.md, "Inputs"): their config, what a value of each type must be, and
 * how a value is read from URL text. One definition for the browser (the control, the
 * graph) and the server (`POST /api/query`'s `inputs`, report pages' `?name=value`).
 *
 * A value is plain JSON as the document keeps it in `config.value`: text and select values
 * are strings (or numbers, for numeric options), numbers are numbers, a date is
 * `YYYY-MM-DD`, a date range `[from, to]`, a checkbox a boolean.
 */
import { z } from 'zod';

/** The types an input cell may be. */
export const INPUT_TYPES = ['text', 'number', 'date', 'daterange', 'select', 'slider', 'checkbox'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** An input's value once validated. */
export type InputValue = string | number | boolean | [from: string, to: string];

/** A select option: text or a number. */
export type InputOption = string | number;

// The config form writes '' for a cleared number field; that means "not set".
const optionalNumber = z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v), z.number().finite().optional());
const optionalText = z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().optional());

/** An input cell's `config` (src/lib/doc/schema.ts), as read from the document. */
export const InputConfig = z.object({
  type: z.enum(INPUT_TYPES),
  label: z.string().default(''),
  value: z.unknown().optional(),
  options: z.array(z.union([z.string(), z.number().finite()])).optional(),
  /** `cell.column`: the distinct values of a column of another cell's result. */
  optionsFrom: optionalText,
  min: optionalNumber,
  max: optionalNumber,
  step: optionalNumber
});
export type InputConfig = z.infer<typeof InputConfig>;

/** What validating a value gives: the typed value, or why it does not fit (a phrase to follow the input's name). */
export type InputCheck = { ok: true; value: InputValue } | { ok: false; message: string };

/** Reads an input cell's config; an unknown type or a malformed key is a message, not a throw. */
export function readInputConfig(raw: unknown): { ok: true; config: InputConfig } | { ok: false; message: string } {
  const parsed = InputConfig.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0];
  const key = issue.path.join('.');
  if (key === 'type') return { ok: false, message: `type must be one of: ${INPUT_TYPES.join(', ')}` };
  return { ok: false, message: `${key || 'config'}: ${issue.message}` };
}

/** `cell.column` of an `optionsFrom`, or null when it is not of that shape. */
export function parseOptionsFrom(text: string): { cell: string; column: string } | null {
  const dot = text.indexOf('.');
  if (dot <= 0 || dot === text.length - 1) return null;
  return { cell: text.slice(0, dot).trim(), column: text.slice(dot + 1).trim() };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for `YYYY-MM-DD` naming a day that exists. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * Whether `value` is a value of `type` at all, regardless of bounds and options (what the
 * server can check from a request alone).
 */
export function checkInputType(type: InputType, value: unknown): InputCheck {
  switch (type) {
    case 'text':
      return typeof value === 'string' ? { ok: true, value } : { ok: false, message: 'must be text' };
    case 'number':
    case 'slider':
      return typeof value === 'number' && Number.isFinite(value) ? { ok: true, value } : { ok: false, message: 'must be a number' };
    case 'date':
      return isIsoDate(value) ? { ok: true, value } : { ok: false, message: 'must be a date YYYY-MM-DD' };
    case 'daterange': {
      if (!Array.isArray(value) || value.length !== 2 || !isIsoDate(value[0]) || !isIsoDate(value[1])) {
        return { ok: false, message: 'must be a date range [from, to] of dates YYYY-MM-DD' };
      }
      const [from, to] = value as [string, string];
      // ISO dates compare as text.
      if (from > to) return { ok: false, message: `must be a date range with from ≤ to (${from} is after ${to})` };
      return { ok: true, value: [from, to] };
    }
    case 'select':
      return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? { ok: true, value } : { ok: false, message: 'must be one of the options' };
    case 'checkbox':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, message: 'must be true or false' };
  }
}

/**
 * `value` checked against the whole config: its type, `min`/`max`/`step` for numbers and
 * sliders, `options` for a select. A select with `optionsFrom` is checked against
 * `choices` (the column's distinct values) when the caller has them, else by type only.
 */
export function validateInput(config: InputConfig, value: unknown, choices?: readonly InputOption[]): InputCheck {
  const typed = checkInputType(config.type, value);
  if (config.type === 'select') {
    const options = config.optionsFrom ? choices : config.options;
    if (!options) return typed;
    // A number option matches its text too (a value read from a URL or a text field).
    const match = options.find((o) => o === value || (typeof o === 'number' && typeof value === 'string' && value.trim() !== '' && Number(value) === o));
    if (match === undefined) return { ok: false, message: options.length ? `must be one of: ${options.slice(0, 20).join(', ')}${options.length > 20 ? ', …' : ''}` : 'has no options to choose from' };
    return { ok: true, value: match };
  }
  if (!typed.ok) {
    if (config.type === 'number' || config.type === 'slider') return { ok: false, message: numberRule(config) };
    return typed;
  }
  if (config.type === 'number' || config.type === 'slider') {
    const n = typed.value as number;
    if ((config.min !== undefined && n < config.min) || (config.max !== undefined && n > config.max) || !onStep(n, config)) {
      return { ok: false, message: numberRule(config) };
    }
  }
  return typed;
}

function onStep(n: number, config: InputConfig): boolean {
  if (!config.step || config.step <= 0) return true;
  const steps = (n - (config.min ?? 0)) / config.step;
  // Decimal steps (0.1) are not exact in binary: a value within a millionth of a step is on it.
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** "must be a number between 0 and 100 in steps of 5", as the config's bounds say. */
function numberRule(config: InputConfig): string {
  const { min, max, step } = config;
  let rule = 'must be a number';
  if (min !== undefined && max !== undefined) rule += ` between ${min} and ${max}`;
  else if (min !== undefined) rule += ` ≥ ${min}`;
  else if (max !== undefined) rule += ` ≤ ${max}`;
  if (step && step > 0) rule += ` in steps of ${step}${min !== undefined && min % step !== 0 ? ` from ${min}` : ''}`;
  return rule;
}

const TRUE_TEXT = new Set(['true', '1', 'yes', 'on']);
const FALSE_TEXT = new Set(['false', '0', 'no', 'off', '']);

/**
 * The JSON value URL text stands for (`?name=value`): `42` and `-1.5` for numbers,
 * `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`) for a checkbox, `YYYY-MM-DD` for a
 * date, `from,to` for a date range, a numeric option's number for a select. Text that does
 * not parse is returned as it is, so {@link validateInput} says what is wrong with it.
 */
export function parseInputText(config: Pick<InputConfig, 'type' | 'options'>, text: string): unknown {
  const trimmed = text.trim();
  switch (config.type) {
    case 'text':
      return text;
    case 'number':
    case 'slider':
      return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed) ? Number(trimmed) : text;
    case 'checkbox': {
      const word = trimmed.toLowerCase();
      return TRUE_TEXT.has(word) ? true : FALSE_TEXT.has(word) ? false : text;
    }
    case 'date':
      return trimmed;
    case 'daterange': {
      const parts = trimmed.split(',');
      return parts.length === 2 ? [parts[0].trim(), parts[1].trim()] : text;
    }
    case 'select': {
      const exact = config.options?.find((o) => String(o) === text);
      return exact ?? text;
    }
  }
}

/** A value ready to bind: its type says how (a date binds as a date, a number as a number). */
export const InputBinding = z.object({ type: z.enum(INPUT_TYPES), value: z.unknown() }).superRefine((b, ctx) => {
  const check = checkInputType(b.type, b.value);
  if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message, path: ['value'] });
});
export type InputBinding = { type: InputType; value: InputValue };

/** A name SQL reads as `$name`: a letter or `_`, then letters, digits and `_`. */
export const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A value that fits a new input of `type` (a type change keeps the value when it still fits). */
export function defaultInputValue(config: Pick<InputConfig, 'type' | 'options' | 'min'>, today = new Date()): InputValue {
  const day = today.toISOString().slice(0, 10);
  switch (config.type) {
    case 'text':
      return '';
    case 'number':
    case 'slider':
      return config.min ?? 0;
    case 'date':
      return day;
    case 'daterange':
      return [day, day];
    case 'select':
      return config.options?.[0] ?? '';
    case 'checkbox':
      return false;
  }
}
