import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { type ReactNode, useEffect, useRef } from 'react';

// Only what the charts use, so the bundle carries no other controller.
Chart.register(BarController, LineController, BarElement, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface ChartCanvasProps {
  /** The chart's accessible name. */
  readonly label: string;
  readonly config: ChartConfiguration<'bar' | 'line'>;
  /** The same data for screen readers (a visually hidden table or summary). */
  readonly fallback: ReactNode;
}

/** A Chart.js chart owned by React: created on mount and on new data, destroyed on unmount. */
export function ChartCanvas({ label, config, fallback }: ChartCanvasProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    if (!element || !element.getContext('2d')) return undefined;
    const chart = new Chart(element, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <figure className="rd-chart">
      <figcaption>{label}</figcaption>
      <div className="rd-chart-box">
        <canvas ref={canvas} role="img" aria-label={label} />
      </div>
      <div className="rd-visually-hidden">{fallback}</div>
    </figure>
  );
}
