/**
 * `@` mentions in comments. A body stores each as `<@userId>`; the composer shows `@Name`
 * while typing, and pages show each stored mention as the member's current name.
 */
import { MENTION } from '../contract/comments.js';

/** A piece of a comment body: plain text, or a mention of a user. */
export type BodySegment = { text: string } | { userId: string };

/** Split a stored body into text and mentions, in order. */
export function bodySegments(body: string): BodySegment[] {
  const out: BodySegment[] = [];
  let at = 0;
  for (const m of body.matchAll(new RegExp(MENTION.source, 'g'))) {
    if (m.index > at) out.push({ text: body.slice(at, m.index) });
    out.push({ userId: m[1] });
    at = m.index + m[0].length;
  }
  if (at < body.length) out.push({ text: body.slice(at) });
  return out;
}

/** The `@word` being typed just before `caret`, if any: where it starts and what it says so far. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)@([^\s@<>]{0,40})$/.exec(text.slice(0, caret));
  return m ? { start: caret - m[2].length - 1, query: m[2] } : null;
}

/** The body to store: each chosen member's `@Name` in the typed text becomes `<@id>`. */
export function encodeMentions(text: string, chosen: { userId: string; name: string }[]): string {
  let out = text;
  // Longest names first, so "@Ann Lee" is not taken as "@Ann".
  for (const m of [...chosen].sort((a, b) => b.name.length - a.name.length)) out = out.split(`@${m.name}`).join(`<@${m.userId}>`);
  return out;
}
