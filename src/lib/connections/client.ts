/** The page's warehouse client: same origin, session cookie (src/lib/warehouse is the one fetch layer). */
import { errorMessage } from '$lib/api-client';
import { WarehouseApi } from '$lib/warehouse';

export const warehouse = new WarehouseApi();

/** An error's message for the UI. */
export function messageOf(e: unknown): string {
  return errorMessage(e);
}
