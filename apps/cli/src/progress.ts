import cliProgress from 'cli-progress';

// CommonJS: its nested `Format` is not a named export Node can see.
const { Format, SingleBar } = cliProgress;

/**
 * Progress of long work on stderr (stdout carries only the result): a bar with rate and ETA on a
 * terminal, plain lines elsewhere (CI logs, `2> file`), so a pipe never fills with redraws.
 */
export interface ProgressBar {
  /** Adds `n` (default 1) finished units. */
  increment(n?: number): void;
  /** Sets the finished units, and the total when it changed. */
  update(value: number, total?: number): void;
  /** Ends the bar; its last state stays on screen. */
  stop(): void;
}

export interface Progress {
  bar(label: string, total: number, unit: string): ProgressBar;
  /** Work that reports no progress of its own (one SQL statement, one command): shown as a phase and its duration. */
  phase<T>(label: string, work: () => Promise<T>): Promise<T>;
}

export type ProgressMode = 'tty' | 'lines' | 'off';

/** Seconds between two plain progress lines. */
const LINE_INTERVAL_MS = 2_000;

export function createProgress(stream: NodeJS.WriteStream = process.stderr, mode: ProgressMode = stream.isTTY ? 'tty' : 'lines'): Progress {
  if (mode === 'off') return { bar: () => ({ increment() {}, update() {}, stop() {} }), phase: (_label, work) => work() };
  return mode === 'tty' ? ttyProgress(stream) : lineProgress(stream);
}

export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

class Rate {
  private readonly started = performance.now();
  elapsedMs(): number {
    return performance.now() - this.started;
  }
  /** Units per second so far. */
  perSecond(value: number): number {
    const seconds = this.elapsedMs() / 1000;
    return seconds > 0 ? value / seconds : 0;
  }
  /** Remaining time at the rate so far; null before the first unit. */
  etaMs(value: number, total: number): number | null {
    const rate = this.perSecond(value);
    return rate > 0 ? (Math.max(0, total - value) / rate) * 1000 : null;
  }
}

function lineProgress(stream: NodeJS.WritableStream): Progress {
  const write = (line: string) => stream.write(`${line}\n`);
  return {
    bar(label, initialTotal, unit) {
      const rate = new Rate();
      let value = 0;
      let total = initialTotal;
      let lastLine = performance.now();
      let stopped = false;
      write(`${label}: 0/${count(total)} ${unit}`);
      const report = () => {
        if (performance.now() - lastLine < LINE_INTERVAL_MS) return;
        lastLine = performance.now();
        const eta = rate.etaMs(value, total);
        const percent = total > 0 ? Math.floor((value / total) * 100) : 100;
        write(
          `${label}: ${count(value)}/${count(total)} ${unit} (${percent}%), ${count(rate.perSecond(value))} ${unit}/s, ETA ${eta === null ? '?' : formatDuration(eta)}`,
        );
      };
      return {
        increment(n = 1) {
          value += n;
          report();
        },
        update(next, nextTotal) {
          value = next;
          if (nextTotal !== undefined) total = nextTotal;
          report();
        },
        stop() {
          if (stopped) return;
          stopped = true;
          write(
            `${label}: ${count(value)}/${count(total)} ${unit} in ${formatDuration(rate.elapsedMs())} (${count(rate.perSecond(value))} ${unit}/s)`,
          );
        },
      };
    },
    async phase(label, work) {
      const rate = new Rate();
      write(`${label} ...`);
      try {
        const result = await work();
        write(`${label}: done in ${formatDuration(rate.elapsedMs())}`);
        return result;
      } catch (error) {
        write(`${label}: failed after ${formatDuration(rate.elapsedMs())}`);
        throw error;
      }
    },
  };
}

const SPINNER = ['|', '/', '-', '\\'];

function ttyProgress(stream: NodeJS.WritableStream): Progress {
  return {
    bar(label, total, unit) {
      const rate = new Rate();
      const bar = new SingleBar({
        stream,
        format: `${label} {bar} {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
        barsize: 30,
        hideCursor: false,
        etaBuffer: 50,
        formatValue: (value, options, type) =>
          type === 'value' || type === 'total' ? count(value) : Format.ValueFormat(value, options, type),
      });
      bar.start(total, 0, { rate: '0' });
      let value = 0;
      return {
        increment(n = 1) {
          value += n;
          bar.increment(n, { rate: count(rate.perSecond(value)) });
        },
        update(next, nextTotal) {
          value = next;
          if (nextTotal !== undefined) bar.setTotal(nextTotal);
          bar.update(next, { rate: count(rate.perSecond(value)) });
        },
        stop() {
          bar.stop();
        },
      };
    },
    async phase(label, work) {
      const rate = new Rate();
      let frame = 0;
      const draw = () => stream.write(`\r\x1b[2K${SPINNER[frame++ % SPINNER.length]} ${label} ${formatDuration(rate.elapsedMs())}`);
      draw();
      const timer = setInterval(draw, 100);
      try {
        const result = await work();
        stream.write(`\r\x1b[2K\u2714 ${label} (${formatDuration(rate.elapsedMs())})\n`);
        return result;
      } catch (error) {
        stream.write(`\r\x1b[2K\u2716 ${label} (failed after ${formatDuration(rate.elapsedMs())})\n`);
        throw error;
      } finally {
        clearInterval(timer);
      }
    },
  };
}
