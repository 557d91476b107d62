/** The workspace's connections as runes: loaded on demand, reloaded after a change. */
import type { ConnectionView } from '$lib/warehouse';
import type { WarehouseApi } from '$lib/warehouse';
import { messageOf, warehouse } from './client';

export class ConnectionList {
  /** `api`: the client to list with (one acting in a notebook's workspace, say). */
  constructor(private readonly api: WarehouseApi = warehouse) {}

  items = $state.raw<ConnectionView[]>([]);
  loaded = $state(false);
  error = $state('');
  #loading: Promise<void> | null = null;
  #first: Promise<void> | null = null;

  /** Fetch the list; concurrent calls share one request. A failure keeps the last list and sets `error`. */
  load(): Promise<void> {
    this.#loading ??= this.api
      .listConnections()
      .then((items) => {
        this.items = items;
        this.error = '';
      })
      .catch((e: unknown) => {
        this.error = `Could not load connections: ${messageOf(e)}`;
      })
      .finally(() => {
        this.loaded = true;
        this.#loading = null;
      });
    this.#first ??= this.#loading;
    return this.#loading;
  }

  /** Resolves once the list was read (or failed to be) for the first time. */
  loadedOnce(): Promise<void> {
    return this.#first ?? this.load();
  }

  /** The connection with id `id`, if it exists. */
  byId(id: string): ConnectionView | undefined {
    return this.items.find((c) => c.id === id);
  }
}
