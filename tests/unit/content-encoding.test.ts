import { describe, expect, it } from 'vitest';
import { chooseEncoding } from '../../server/http/content-encoding.js';

describe('chooseEncoding', () => {
  it('prefers Brotli, then gzip, whatever order the request lists them in', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip')).toBe('gzip');
    expect(chooseEncoding(['gzip', 'br'])).toBe('br');
  });

  it('sends the file as it is without a header, for identity, and for encodings Cairn does not make', () => {
    expect(chooseEncoding(undefined)).toBeNull();
    expect(chooseEncoding('')).toBeNull();
    expect(chooseEncoding('identity')).toBeNull();
    expect(chooseEncoding('deflate, zstd')).toBeNull();
  });

  it('honours q=0 and the * wildcard', () => {
    expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0')).toBeNull();
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('*, br;q=0')).toBe('gzip');
  });

  it('picks only among the forms the file has', () => {
    expect(chooseEncoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(chooseEncoding('br', [])).toBeNull();
  });
});
