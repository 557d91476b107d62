/** Connections in the UI: the page's client, the list, the form's values, runs polling and SQL names. */
export * from './client';
export * from './kinds';
export * from './connection-form';
export * from './connection-list.svelte';
export * from './runs-poller.svelte';
export * from './schema-names';
export * from './format';
