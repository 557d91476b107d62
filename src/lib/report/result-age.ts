/** "as of 06:00, 2 h ago": when a result was computed, in the reader's clock and in words. */
import { timeAgo } from '../time.js';

export function resultAge(iso: string, now: number = Date.now()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const sameDay = new Date(now).toDateString() === at.toDateString();
  const clock = at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  const when = sameDay ? clock : `${at.toLocaleDateString('en-GB', { month: 'short', day: 'numeric' })} ${clock}`;
  return `as of ${when}, ${timeAgo(iso, now)}`;
}
