/**
 * How long something runs before the page animates anything for it (a pulsing dot, a
 * sliding progress bar, dimmed rows). An animation makes the compositor draw every frame;
 * with software compositing on a 2-core machine that took 10–15 ms of CPU away from an
 * 80 ms DuckDB-WASM query (bench/browser-sql, Chromium trace). Fast runs show their status
 * as text only, and nothing flickers.
 */
export const BUSY_ANIMATION_DELAY_MS = 300;
