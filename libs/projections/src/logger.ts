/** The slice of a pino logger the runner uses; pino instances satisfy it. */
export interface ProjectionLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Default: JSON lines on stderr, so halts and parked events are never silent even without wiring. */
export const stderrLogger: ProjectionLogger = {
  info: (fields, message) => write('info', fields, message),
  warn: (fields, message) => write('warn', fields, message),
  error: (fields, message) => write('error', fields, message),
};

function write(level: string, fields: object, message: string): void {
  const line = JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...fields }, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
  process.stderr.write(line + '\n');
}
