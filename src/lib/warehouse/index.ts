/** Server connections from the browser: the REST client and the streaming query reader. */
export * from './types.js';
export * from './api.js';
export * from './query-client.js';
