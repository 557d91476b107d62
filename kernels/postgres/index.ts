/** The PostgreSQL server engine: binary COPY and binary extended-protocol results decoded straight into Arrow. */
export { createPostgresEngine, type PostgresConfig } from './engine.js';
