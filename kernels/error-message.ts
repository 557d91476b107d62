/** The message of anything thrown: an Error's own message, anything else as text. One helper for browser, server and workers. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
