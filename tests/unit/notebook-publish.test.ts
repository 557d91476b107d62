import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  applyReportShow,
  bodyOf,
  describeRefresh,
  embedCode,
  embedUrl,
  fieldOfError,
  formFromState,
  reportShowChoices,
  reportShowFields,
  reportShowOf,
  withoutPath,
  type PublishForm
} from '../../src/lib/notebook/publish.js';
import { PublishBody, type PublishState } from '../../src/lib/contract/reports.js';
import { cellsOf, insertCell } from '../../src/lib/doc/index.js';
import { LOCAL_ORIGIN, createStructuralUndo } from '../../src/lib/notebook/undo.js';

const form = (patch: Partial<PublishForm> = {}): PublishForm => ({ ...formFromState(null, 'Europe/Berlin'), ...patch });

describe('how a cell shows in the report', () => {
  it('SQL and JS cells show without code by default, with code when showCode is set, and not at all when hidden', () => {
    expect(reportShowOf('sql', false, false)).toBe('shown');
    expect(reportShowOf('js', false, true)).toBe('code');
    expect(reportShowOf('sql', true, true)).toBe('hidden');
  });

  it('text, chart and input cells are shown or hidden, whatever showCode says', () => {
    expect(reportShowOf('chart', false, true)).toBe('shown');
    expect(reportShowChoices('text').map((c) => c.value)).toEqual(['shown', 'hidden']);
    expect(reportShowChoices('sql').map((c) => c.value)).toEqual(['code', 'shown', 'hidden']);
  });

  it('hiding writes only hidden, so showing again brings back the author’s code choice', () => {
    expect(reportShowFields('sql', 'hidden')).toEqual({ hidden: true });
    expect(reportShowFields('sql', 'code')).toEqual({ hidden: false, showCode: true });
    expect(reportShowFields('js', 'shown')).toEqual({ hidden: false, showCode: false });
    expect(reportShowFields('input', 'shown')).toEqual({ hidden: false });
  });
});

describe('choosing how a cell shows, in the document', () => {
  it('writes hidden and showCode in one update, one undo step, and nothing when unchanged', () => {
    const doc = new Y.Doc();
    const id = insertCell(doc, { kind: 'sql', name: 'q', source: 'select 1' });
    const undo = createStructuralUndo(doc);
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const cell = cellsOf(doc).get(id)!;

    expect(applyReportShow(doc, id, 'code', LOCAL_ORIGIN)).toBe(true);
    expect([cell.get('hidden'), cell.get('showCode')]).toEqual([false, true]);
    expect(applyReportShow(doc, id, 'code', LOCAL_ORIGIN)).toBe(false);
    undo.stopCapturing();
    expect(applyReportShow(doc, id, 'hidden', LOCAL_ORIGIN)).toBe(true);
    expect([cell.get('hidden'), cell.get('showCode')]).toEqual([true, true]);
    expect(updates.length).toBe(2);

    undo.undo();
    expect([cell.get('hidden'), cell.get('showCode')]).toEqual([false, true]);
    undo.undo();
    expect(cell.get('showCode')).toBeUndefined();
  });

  it('never writes showCode on kinds without code', () => {
    const doc = new Y.Doc();
    const id = insertCell(doc, { kind: 'chart', name: 'c' });
    applyReportShow(doc, id, 'code');
    expect(cellsOf(doc).get(id)!.get('showCode')).toBeUndefined();
    expect(applyReportShow(doc, 'missing', 'hidden')).toBe(false);
  });
});

describe('the publish form', () => {
  it('starts public, refreshing only when published, in the given time zone', () => {
    expect(form()).toEqual({ visibility: 'public', members: [], ttlMinutes: null, schedule: 'none', cron: '', timezone: 'Europe/Berlin' });
    expect(bodyOf(form())).toEqual({ visibility: 'public' });
  });

  it('sends presets as cron text with the time zone, and members only for a members report', () => {
    expect(bodyOf(form({ schedule: 'daily', ttlMinutes: 30 }))).toEqual({
      visibility: 'public',
      refresh: { ttlMinutes: 30, schedule: '0 6 * * *', timezone: 'Europe/Berlin' }
    });
    expect(bodyOf(form({ schedule: 'hourly', visibility: 'workspace', members: ['u1'] }))).toEqual({
      visibility: 'workspace',
      refresh: { schedule: '@hourly', timezone: 'Europe/Berlin' }
    });
    expect(bodyOf(form({ visibility: 'members', members: ['u1', 'u2'] }))).toEqual({ visibility: 'members', members: ['u1', 'u2'] });
  });

  it('sends a custom cron as typed, even an empty one, so the server says what is wrong with it', () => {
    expect(bodyOf(form({ schedule: 'custom', cron: ' 15 7 * * 1-5 ' })).refresh).toEqual({ schedule: '15 7 * * 1-5', timezone: 'Europe/Berlin' });
    const empty = bodyOf(form({ schedule: 'custom', cron: '' }));
    expect(PublishBody.safeParse(empty).success).toBe(false);
  });

  it('leaves out an emptied minutes field, and sends a bad number for the server to name', () => {
    expect(bodyOf(form({ ttlMinutes: null }))).toEqual({ visibility: 'public' });
    expect(bodyOf(form({ ttlMinutes: Number.NaN }))).toEqual({ visibility: 'public' });
    expect(PublishBody.safeParse(bodyOf(form({ ttlMinutes: 0 }))).success).toBe(false);
  });

  it('every body it makes from good fields is one the server accepts', () => {
    for (const f of [form(), form({ schedule: 'daily', ttlMinutes: 5 }), form({ visibility: 'members', members: ['a'] }), form({ schedule: 'custom', cron: '0 * * * *' })]) {
      expect(PublishBody.safeParse(bodyOf(f)).success).toBe(true);
    }
  });

  it('prefills from what is live, recognising the presets', () => {
    const live = (refresh: object): PublishState['report'] => ({
      slug: 's',
      url: 'http://x/r/s',
      version: 2,
      publishedAt: '2024-01-01T00:00:00Z',
      visibility: 'members',
      members: ['u1'],
      refresh,
      publishedBy: null
    });
    expect(formFromState(live({ schedule: '0 6 * * *', timezone: 'Asia/Tokyo', ttlMinutes: 15 }), 'UTC')).toEqual({
      visibility: 'members',
      members: ['u1'],
      ttlMinutes: 15,
      schedule: 'daily',
      cron: '',
      timezone: 'Asia/Tokyo'
    });
    expect(formFromState(live({ schedule: '*/5 * * * *' }), 'UTC')).toMatchObject({ schedule: 'custom', cron: '*/5 * * * *', timezone: 'UTC' });
  });

  it('describes a refresh policy in words', () => {
    expect(describeRefresh(undefined)).toBe('Only when published');
    expect(describeRefresh({ schedule: '0 6 * * *', timezone: 'Europe/Berlin', ttlMinutes: 30 })).toBe('Daily at 06:00 (Europe/Berlin) · results at most 30 min old');
    expect(describeRefresh({ ttlMinutes: 15 })).toBe('Every 15 min');
    expect(describeRefresh({ schedule: '@hourly' })).toBe('Every hour');
  });
});

describe('server errors beside their field', () => {
  it('finds the field from the validator’s path or the schedule check’s wording', () => {
    expect(fieldOfError('refresh.schedule: must be five cron fields, @hourly or @daily')).toBe('schedule');
    expect(fieldOfError('The schedule "61 * * * *" does not parse: bad minute')).toBe('schedule');
    expect(fieldOfError('refresh.timezone: is not an IANA time zone')).toBe('timezone');
    expect(fieldOfError('refresh.ttlMinutes: Too small: expected number to be >=1')).toBe('ttlMinutes');
    expect(fieldOfError('members.3: Too big')).toBe('members');
    expect(fieldOfError('Something else went wrong.')).toBeNull();
    expect(withoutPath('refresh.timezone: is not an IANA time zone')).toBe('Is not an IANA time zone');
  });
});

describe('embedding', () => {
  it('embeds the whole report or one cell, with attributes escaped', () => {
    expect(embedUrl('https://cairn.example/r/q-1/', 'by region')).toBe('https://cairn.example/r/q-1/embed?cell=by%20region');
    const code = embedCode('https://cairn.example/r/q-1', 'Sales "Q1" <draft>');
    expect(code).toContain('src="https://cairn.example/r/q-1/embed"');
    expect(code).toContain('title="Sales &quot;Q1&quot; &lt;draft&gt;"');
    expect(code.startsWith('<iframe ') && code.endsWith('</iframe>')).toBe(true);
  });
});
