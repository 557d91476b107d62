/**
 * Report inputs in the URL: `?name=value`, as the server reads them
 * (src/lib/contract/inputs.ts `parseInputText`): a date range as `from,to`, a checkbox as
 * `true`/`false`. Only values that differ from the published ones are written, so a
 * report's plain link stays plain.
 */
import type { ConfigValue } from '../doc/schema.js';

export function inputText(value: ConfigValue): string {
  if (Array.isArray(value)) return value.join(',');
  return value === null ? '' : String(value);
}

/** `current` with input `name` set to `value` (removed when it equals the published value). */
export function withInput(current: URLSearchParams, name: string, value: ConfigValue, published: ConfigValue): URLSearchParams {
  const next = new URLSearchParams(current);
  if (inputText(value) === inputText(published)) next.delete(name);
  else next.set(name, inputText(value));
  return next;
}
