/** Presence colours: a calm palette, picked deterministically from a user id. */

/** Six-digit hex colours only: y-prosemirror appends an alpha suffix to them. */
const PALETTE = ['#e5484d', '#f76b15', '#d6a000', '#30a46c', '#12a594', '#0090ff', '#3e63dd', '#8e4ec6', '#d6409f', '#978365'];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** A user's colour and its translucent variant for selections (what the editor bindings read). */
export function userColor(userId: string): { color: string; colorLight: string } {
  const color = PALETTE[hash(userId) % PALETTE.length];
  return { color, colorLight: color + '33' };
}

/** Up to two initials for an avatar ("Ada Lovelace" → "AL", "ada" → "AD"). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  if (words.length === 1) return words[0].slice(0, 2).toUpperCase();
  return (words[0][0] + words[words.length - 1][0]).toUpperCase();
}
