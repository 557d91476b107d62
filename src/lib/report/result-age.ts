/** "as of 06:00, 2 h ago": when a result was computed, in the reader's clock and in words. */
import { timeAgo } from '../time.js';

// Made once: `toLocale…String` with a locale builds a new Intl formatter per call (bench/report).
const CLOCK = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const DAY = new Intl.DateTimeFormat('en-GB', { month: 'short', day: 'numeric' });

export function resultAge(iso: string, now: number = Date.now()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const sameDay = new Date(now).toDateString() === at.toDateString();
  const clock = CLOCK.format(at);
  const when = sameDay ? clock : `${DAY.format(at)} ${clock}`;
  return `as of ${when}, ${timeAgo(iso, now)}`;
}
