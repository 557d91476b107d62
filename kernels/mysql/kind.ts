/** The `mysql` connection kind, for MySQL and MariaDB (engine: ./engine.ts). */
import { networkConfig, type ConnectionKindDescriptor } from '../connection-kind.js';

export const mysqlKind = {
  kind: 'mysql',
  label: 'MySQL / MariaDB',
  shortLabel: 'MySQL',
  defaultPort: 3306,
  dialect: 'mysql',
  configSchema: networkConfig(3306),
  secretFields: ['password']
} as const satisfies ConnectionKindDescriptor<'mysql'>;
