/** Contracts both the browser and the server use: roles, close codes, access API shapes. */
export * from './roles.js';
export * from './close-codes.js';
export * from './access.js';
