/** The MySQL/MariaDB engine (design.md, connection kind 'mysql'). */
export { createMysqlEngine, type MysqlConfig } from './engine.js';
export { translateParams, ParameterError, type TranslatedSql } from './params.js';
