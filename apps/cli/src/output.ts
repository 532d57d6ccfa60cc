/** How results reach stdout: a readable table by default, machine JSON with --json. Progress and errors go to stderr. */

export type Cell = string | number | boolean | bigint | null | undefined;

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => Cell;
  /** Numbers read best right-aligned. */
  readonly align?: 'left' | 'right';
}

export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  return String(value);
}

/** A plain-text table: a header, a rule, one line per row; columns padded to their widest cell. */
export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((c) => formatCell(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((line) => line[i]!.length)));
  const render = (line: readonly string[]) =>
    line
      .map((cell, i) => (columns[i]!.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [render(columns.map((c) => c.header)), render(widths.map((w) => '-'.repeat(w))), ...cells.map(render)].join('\n');
}

/** Two columns, label and value: for one result. */
export function keyValues(pairs: ReadonlyArray<readonly [string, Cell]>): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${formatCell(value)}`).join('\n');
}

/** JSON with int8 values (bigint) as strings, as the API sends them. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

export interface Printer {
  readonly json: boolean;
  /** Writes the result: `data` as JSON with --json, otherwise the human rendering. */
  result(data: unknown, human: () => string): void;
  /** A remark for a human (stderr, so it never mixes with a result a script reads); silent with --json. */
  note(message: string): void;
}

export function createPrinter(
  json: boolean,
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
): Printer {
  return {
    json,
    result(data, human) {
      stdout.write(`${json ? toJson(data) : human()}\n`);
    },
    note(message) {
      if (!json) stderr.write(`${message}\n`);
    },
  };
}
