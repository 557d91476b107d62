/** The MySQL/MariaDB engine (docs/api.md, connection kind 'mysql'). */
export { createMysqlEngine, type MysqlConfig, type MysqlEngineOptions } from './engine.js';
export { translateParams, ParameterError, type TranslatedSql } from './params.js';
