import { describe, expect, it } from 'vitest';
import { Router } from '../../server/http/router.js';
import { allow } from '../../server/access/rules.js';

describe('the router', () => {
  const router = () => new Router(async () => ({ session: null }) as never);

  it('refuses a route registered without an access rule', () => {
    expect(() => router().add('GET', '/api/x', undefined as never, async () => undefined)).toThrow(/no access rule/);
    expect(() => router().add('GET', '/api/x', {} as never, async () => undefined)).toThrow(/no access rule/);
  });

  it('lists every route with its rule, so tests can check each against every caller', () => {
    const r = router().add('GET', '/api/a/:id', allow.notebook('read'), async () => undefined).add('POST', '/api/b', allow.member('editor'), async () => undefined);
    expect(r.routes()).toEqual([
      { method: 'GET', path: '/api/a/:id', rule: { kind: 'notebook', need: 'read' } },
      { method: 'POST', path: '/api/b', rule: { kind: 'member', min: 'editor' } }
    ]);
  });

  it('answers a malformed percent-encoding in a path as a bad path, not a throw', () => {
    const r = router().add('GET', '/api/a/:id', allow.notebook('read'), async () => undefined);
    expect(r.match('GET', '/api/a/%')).toBe('bad_path');
    expect(r.match('POST', '/api/a/x')).toBe('method');
    expect(r.match('GET', '/api/zzz')).toBeNull();
  });
});
