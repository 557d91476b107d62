import { Field, Uint64, tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { BatchBuilder, IpcStreamEncoder } from '../../kernels/arrow/index.js';
import {
  bitValue,
  daysFromCivil,
  parseDateDays,
  parseDecimal,
  parseTimestampMicros,
  shortestFloat32,
  withFraction
} from '../../kernels/mysql/types.js';
import { flavourOf, sessionSql } from '../../kernels/mysql/session.js';

describe('MySQL value parsing', () => {
  it('parses decimals exactly into unscaled integers at the column scale', () => {
    expect(parseDecimal('-1234567890.12', 2)).toBe(-123456789012n);
    expect(parseDecimal('0.10', 2)).toBe(10n);
    expect(parseDecimal('5', 2)).toBe(500n);
    expect(parseDecimal('-0.5', 1)).toBe(-5n);
    expect(() => parseDecimal('1' + '0'.repeat(40), 0)).toThrow(/38 digits/);
  });

  it('refuses to cut digits after the point that are not zeros', () => {
    expect(parseDecimal('1.2300', 2)).toBe(123n);
    expect(() => parseDecimal('1.235', 2)).toThrow(/after the point/);
  });

  it('counts days from 1970 for any year, before 1970 included', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1);
    expect(daysFromCivil(2000, 3, 1)).toBe(Date.UTC(2000, 2, 1) / 86_400_000);
    expect(daysFromCivil(1000, 1, 1)).toBe(Math.round(Date.UTC(1000, 0, 1) / 86_400_000));
    expect(parseDateDays('0000-00-00')).toBeNull();
    expect(parseDateDays('2020-05-00')).toBeNull();
    expect(parseDateDays('9999-12-31')).toBe(2_932_896);
  });

  it('finds no day for dates MySQL stores but no calendar has', () => {
    expect(parseDateDays('2021-02-29')).toBeNull();
    expect(parseDateDays('2021-04-31')).toBeNull();
    expect(parseDateDays('2020-02-29')).toBe(daysFromCivil(2020, 2, 29));
    expect(parseTimestampMicros('2021-02-30 10:00:00')).toBeNull();
    expect(parseTimestampMicros('2020-00-05 00:00:00')).toBeNull();
  });

  it('reads timestamps as UTC microseconds, fractions of any length included', () => {
    expect(parseTimestampMicros('1970-01-01 00:00:01.5')).toBe(1_500_000n);
    expect(parseTimestampMicros('1969-12-31 23:59:59.999999')).toBe(-1n);
    expect(parseTimestampMicros('2024-02-29 12:00:00')).toBe(BigInt(Date.UTC(2024, 1, 29, 12)) * 1000n);
    expect(parseTimestampMicros('0000-00-00 00:00:00')).toBeNull();
  });

  it('writes the database text of times and datetimes with every fractional digit the column has', () => {
    expect(withFraction('-01:00:00.5', 3)).toBe('-01:00:00.500');
    expect(withFraction('838:59:59', 0)).toBe('838:59:59');
    expect(withFraction('2020-01-01 00:00:00', 6)).toBe('2020-01-01 00:00:00.000000');
    expect(withFraction('2020-01-01', 0)).toBe('2020-01-01');
    expect(withFraction('12:00:00.123456', null)).toBe('12:00:00.123456');
  });

  it('reads BIT values as unsigned numbers of up to 64 bits', () => {
    expect(bitValue(new Uint8Array([0xa5]))).toBe(165n);
    expect(bitValue(new Uint8Array(8).fill(0xff))).toBe(18446744073709551615n);
    expect(bitValue(new Uint8Array([0x80, 0, 0, 0, 0, 0, 0, 0]))).toBe(2n ** 63n);
  });

  it('shows FLOAT values delivered as text as the short decimal that was stored', () => {
    expect(shortestFloat32(Math.fround(1.1))).toBe(1.1);
    expect(shortestFloat32(Math.fround(-3.4028234e38))).toBe(-3.4028235e38);
    expect(shortestFloat32(Math.fround(16777217))).toBe(16777216);
    expect(shortestFloat32(Math.fround(0.5))).toBe(0.5);
  });

  it('keeps unsigned 64-bit values above 2^63 through the Arrow builders and IPC', () => {
    const builder = new BatchBuilder([new Field('u', new Uint64(), true)]);
    builder.appendRow([18446744073709551615n]);
    builder.appendRow([null]);
    const batch = builder.flush()!;
    const encoder = new IpcStreamEncoder(builder.schema);
    const table = tableFromIPC(Buffer.concat([encoder.encode(batch), encoder.end()]));
    expect(table.getChild('u')!.get(0)).toBe(18446744073709551615n);
    expect(table.getChild('u')!.get(1)).toBeNull();
  });
});

describe('MySQL session settings', () => {
  it('tells MariaDB from MySQL by the handshake version', () => {
    expect(flavourOf('10.11.19-MariaDB-0+deb12u1')).toEqual({ mariadb: true, version: [10, 11, 19] });
    expect(flavourOf('5.5.5-10.6.2-MariaDB-log')).toEqual({ mariadb: true, version: [10, 6, 2] });
    expect(flavourOf('8.0.36')).toEqual({ mariadb: false, version: [8, 0, 36] });
  });

  it('uses each server’s names for the timeout and the read-only mode', () => {
    const settings = { statementTimeoutMs: 1_500, readOnly: true };
    expect(sessionSql(flavourOf('10.11.19-MariaDB'), settings)).toBe(
      "SET SESSION time_zone = '+00:00', max_statement_time = 1.5, tx_read_only = 1"
    );
    expect(sessionSql(flavourOf('11.4.2-MariaDB'), settings)).toContain('transaction_read_only = 1');
    expect(sessionSql(flavourOf('8.0.36'), { statementTimeoutMs: 60_000, readOnly: false })).toBe(
      "SET SESSION time_zone = '+00:00', max_execution_time = 60000, transaction_read_only = 0"
    );
  });
});
