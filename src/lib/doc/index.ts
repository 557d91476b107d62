/** The notebook document: its layout and the helpers that read and change it. */
export * from './schema.js';
export * from './cells.js';
export * from './meta.js';
export * from './markdown.js';
export * from './safe-url.js';
export * from './json.js';
