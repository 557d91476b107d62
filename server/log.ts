/**
 * Server logging: one line per event, `level scope message {fields}`. Secrets never reach
 * it — callers pass ids, not tokens or passwords.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: number = order[(process.env.CAIRN_LOG_LEVEL as Level) || 'info'] ?? order.info;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Set the lowest level written (tests quieten the server with 'warn'). */
export function setLogLevel(level: Level): void {
  threshold = order[level];
}

/** A logger whose lines carry `scope`. */
export function logger(scope: string): Logger {
  const write = (level: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (order[level] < threshold) return;
    const extra = fields ? ' ' + JSON.stringify(fields, errorReplacer) : '';
    const line = `${new Date().toISOString()} ${level.padEnd(5)} ${scope}: ${message}${extra}\n`;
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
