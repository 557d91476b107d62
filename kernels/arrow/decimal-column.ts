/**
 * A decimal column whose Arrow type is chosen from its values (docs/types.md, "Exact
 * decimals whose size is not known up front"): PostgreSQL's unconstrained numeric,
 * decimals declared wider than 38 digits, 128-bit integers. Until the first batch is
 * finished it only holds values; then it picks Decimal128(38, s) for the smallest scale
 * that holds them all within 38 digits, or exact text when none does, and writes every
 * later value straight into that type. A later value that does not fit throws
 * {@link WiderResultNeeded} rather than being rounded.
 *
 * Values are appended as decimal text (`"-12.50"`, `"NaN"`), {@link ExactDecimal}s, or
 * bigints (integers).
 */
import { Decimal, Utf8, type Data, type DataType, type Field } from 'apache-arrow';
import { columnBuilder, isDecimalBuilder, type ColumnBuilder } from './column-builder.js';
import {
  DECIMAL128_DIGITS,
  decimalText,
  fitsDecimal128,
  integerDigits,
  minimalScale,
  parseDecimal,
  rescale,
  type DecimalValue,
  type ExactDecimal
} from './exact-decimal.js';
import { notedField } from './field-metadata.js';
import { WiderResultNeeded, type DecimalChoice } from './widening.js';

export interface DecimalColumnOptions {
  /** The engine, for the error that asks for a redo. */
  engine: string;
  /** The column's index in the result (what a {@link Widening} is keyed by) and its name, for the redo's message. */
  index: number;
  name: string;
  /** The scale the database declares (MySQL's DECIMAL(65,30) → 30); kept when the values fit it. */
  declaredScale?: number;
  /** A choice made up front (by a redo); otherwise the first batch decides. */
  choice?: DecimalChoice;
  /** The database's name for the type (`cairn.db_type`). */
  dbType?: string;
}

const SPECIAL_NOTE = 'Holds NaN or Infinity, which no Arrow decimal can: the values are exact text.';
const WIDE_NOTE = `Has values of more than ${DECIMAL128_DIGITS} digits, more than an Arrow decimal holds: the values are exact text, and DuckDB cannot compute on them exactly.`;

export class DecimalColumnBuilder implements ColumnBuilder {
  /** Values of the first batch, until the type is chosen. */
  private held: (DecimalValue | null)[] = [];
  private inner: ColumnBuilder | null = null;
  private choice: DecimalChoice | null = null;
  private sawSpecial = false;
  /** Over every value seen, for the choice a redo should make. */
  private maxIntegerDigits = 0;
  private maxScale = 0;
  private fieldCache: { base: Field; field: Field } | null = null;

  constructor(private readonly options: DecimalColumnOptions) {
    if (options.choice !== undefined) this.decide(options.choice);
  }

  get type(): DataType {
    return this.inner?.type ?? new Decimal(this.options.declaredScale ?? 0, DECIMAL128_DIGITS, 128);
  }

  get length(): number {
    return this.inner ? this.inner.length : this.held.length;
  }

  /** Whether the Arrow type is chosen yet. */
  get decided(): boolean {
    return this.inner !== null;
  }

  /** The result field for this column: `base`'s name with the chosen type and Cairn's notes. */
  field(base: Field): Field {
    if (this.fieldCache?.base === base && this.inner) return this.fieldCache.field;
    const text = this.choice === 'text';
    const field = notedField(base.name, this.type, {
      textType: text ? 'decimal' : undefined,
      dbType: this.options.dbType,
      note: text ? (this.sawSpecial ? SPECIAL_NOTE : WIDE_NOTE) : undefined
    });
    if (this.inner) this.fieldCache = { base, field };
    return field;
  }

  append(value: unknown): void {
    if (value === null || value === undefined) return this.appendNull();
    this.appendValue(toDecimalValue(value));
  }

  /** The chosen Decimal128's scale, or null before the choice and for text. */
  get decimalScale(): number | null {
    const chosen = this.choice;
    return this.inner === null || chosen === null || chosen === 'text' ? null : chosen.scale;
  }

  /**
   * Appends a value already written as Decimal128 words at {@link decimalScale} (a wire
   * decoder's fast path); `scale` and `integerDigits` are the value's own, for the choice a
   * redo would make.
   */
  appendDecimalWords(words: Uint32Array, scale: number, integerDigits: number): void {
    if (!isDecimalBuilder(this.inner!)) throw new Error('the column has not chosen a decimal type');
    if (integerDigits > this.maxIntegerDigits) this.maxIntegerDigits = integerDigits;
    if (scale > this.maxScale) this.maxScale = scale;
    this.inner.appendWordValue(words);
  }

  appendValue(value: DecimalValue): void {
    this.observe(value);
    if (this.inner === null) {
      this.held.push(value);
      return;
    }
    if (this.choice === 'text') return this.inner.append(typeof value === 'string' ? value : decimalText(value.unscaled, value.scale));
    if (typeof value === 'string') throw this.misfit();
    const unscaled = rescale(value, this.choice!.scale);
    if (unscaled === null || !fitsDecimal128(unscaled)) throw this.misfit();
    this.inner.append(unscaled);
  }

  appendNull(): void {
    if (this.inner === null) this.held.push(null);
    else this.inner.appendNull();
  }

  finish(): Data {
    if (this.inner === null) {
      this.decide(chooseType(this.held, this.options.declaredScale));
      const held = this.held;
      this.held = [];
      for (const v of held) {
        if (v === null) this.inner!.appendNull();
        else this.appendValue(v);
      }
    }
    return this.inner!.finish();
  }

  private decide(choice: DecimalChoice): void {
    this.choice = choice;
    this.inner = columnBuilder(choice === 'text' ? new Utf8() : new Decimal(choice.scale, DECIMAL128_DIGITS, 128));
  }

  private observe(value: DecimalValue): void {
    if (typeof value === 'string') {
      this.sawSpecial = true;
      return;
    }
    this.maxIntegerDigits = Math.max(this.maxIntegerDigits, integerDigits(value));
    this.maxScale = Math.max(this.maxScale, minimalScale(value));
  }

  /** The error asking for a redo, with the type every value seen so far fits. */
  private misfit(): WiderResultNeeded {
    const scale = this.maxScale;
    const choice: DecimalChoice = this.sawSpecial || this.maxIntegerDigits + scale > DECIMAL128_DIGITS ? 'text' : { scale };
    return new WiderResultNeeded(this.options.engine, this.options.name, { [this.options.index]: choice });
  }
}

/**
 * The narrowest exact form for `values`: Decimal128(38, s) at the declared scale when they
 * all fit it, else at the largest scale they are written with, else at the fewest digits
 * after the point that hold them; exact text when none fits 38 digits (or a value is NaN
 * or infinite).
 */
export function chooseType(values: readonly (DecimalValue | null)[], declaredScale?: number): DecimalChoice {
  const finite: ExactDecimal[] = [];
  for (const v of values) {
    if (v === null) continue;
    if (typeof v === 'string') return 'text';
    finite.push(v);
  }
  const written = finite.reduce((s, v) => Math.max(s, v.scale), 0);
  const minimal = finite.reduce((s, v) => Math.max(s, minimalScale(v)), 0);
  const candidates = declaredScale === undefined ? [written, minimal] : [declaredScale, written, minimal];
  for (const scale of candidates) {
    if (scale > DECIMAL128_DIGITS) continue;
    if (finite.every((v) => fitsAt(v, scale))) return { scale };
  }
  return 'text';
}

function fitsAt(value: ExactDecimal, scale: number): boolean {
  const unscaled = rescale(value, scale);
  return unscaled !== null && fitsDecimal128(unscaled);
}

function toDecimalValue(value: unknown): DecimalValue {
  if (typeof value === 'string') return parseDecimal(value);
  if (typeof value === 'bigint') return { unscaled: value, scale: 0 };
  if (typeof value === 'number' && Number.isSafeInteger(value)) return { unscaled: BigInt(value), scale: 0 };
  if (typeof value === 'object' && value !== null && 'unscaled' in value) return value as ExactDecimal;
  throw new Error(`not a decimal value: ${String(value)}`);
}

/** Whether `builder` is a {@link DecimalColumnBuilder} (its field depends on its values). */
export function isDecimalColumn(builder: ColumnBuilder): builder is DecimalColumnBuilder {
  return builder instanceof DecimalColumnBuilder;
}
