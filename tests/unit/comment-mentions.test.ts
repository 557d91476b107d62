import { describe, expect, it } from 'vitest';
import { bodySegments, encodeMentions, mentionQuery } from '../../src/lib/notebook/mentions.js';
import { mentionedIds } from '../../src/lib/contract/comments.js';

describe('comment mentions', () => {
  it('stores each picked member’s typed @Name as <@id>, longest names first', () => {
    const chosen = [
      { userId: 'u1', name: 'Ann' },
      { userId: 'u2', name: 'Ann Lee' }
    ];
    expect(encodeMentions('@Ann Lee and @Ann, look', chosen)).toBe('<@u2> and <@u1>, look');
    // A name nobody picked stays text.
    expect(encodeMentions('@Bob look', chosen)).toBe('@Bob look');
  });

  it('finds the mentioned ids in a stored body, each once', () => {
    expect(mentionedIds('<@u1> <@u2> and <@u1> again, <@ bad>')).toEqual(['u1', 'u2']);
  });

  it('splits a stored body into text and mentions for display', () => {
    expect(bodySegments('Hi <@u1>, see <@u2>')).toEqual([{ text: 'Hi ' }, { userId: 'u1' }, { text: ', see ' }, { userId: 'u2' }]);
    expect(bodySegments('plain')).toEqual([{ text: 'plain' }]);
  });

  it('knows when an @word is being typed at the caret', () => {
    expect(mentionQuery('ping @an', 8)).toEqual({ start: 5, query: 'an' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('mail me at a@b', 14)).toBeNull();
    expect(mentionQuery('@ann done', 9)).toBeNull();
  });
});
