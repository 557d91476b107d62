/** The `postgres` connection kind (engine: ./engine.ts). */
import { networkConfig, type ConnectionKindDescriptor } from '../connection-kind.js';

export const postgresKind = {
  kind: 'postgres',
  label: 'PostgreSQL',
  shortLabel: 'Postgres',
  defaultPort: 5432,
  dialect: 'postgres',
  configSchema: networkConfig(5432),
  secretFields: ['password']
} as const satisfies ConnectionKindDescriptor<'postgres'>;
