/** Contracts both the browser and the server use: roles, close codes, and the API's bodies and answers. */
export * from './roles.js';
export * from './close-codes.js';
export * from './access.js';
export * from './auth.js';
export * from './notebooks.js';
export * from './reports.js';
export * from './query.js';
export * from './inputs.js';
export * from './alerts.js';
export * from './comments.js';
export * from './history.js';
export * from './provenance.js';
export * from './notebook-results.js';
