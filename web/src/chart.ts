// Bar and line charts of a result page (Chart.js, only the parts used). Loaded on first use, so the
// console's first load does not carry it.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

export type ChartKind = 'bar' | 'line';

export interface ChartSpec {
  kind: ChartKind;
  labels: string[];
  series: { name: string; values: (number | null)[] }[];
}

const COLORS = ['#1f4e8c', '#e07a1f', '#2a9d8f', '#c2410c', '#7c3aed', '#0891b2', '#be185d', '#65a30d'];

// A series whose largest value is this many times smaller than the largest series' goes on a second axis
// at the right, so a count beside a revenue in millions is not a flat line.
const SECOND_AXIS_RATIO = 20;

function peak(values: (number | null)[]): number {
  return values.reduce<number>((m, v) => (v === null ? m : Math.max(m, Math.abs(v))), 0);
}

export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): () => void {
  const peaks = spec.series.map((s) => peak(s.values));
  const top = Math.max(0, ...peaks);
  const onRight = peaks.map((p) => spec.series.length > 1 && top > 0 && p * SECOND_AXIS_RATIO < top);
  const hasRight = onRight.some(Boolean);

  const chart = new Chart(canvas, {
    type: spec.kind,
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s, i) => ({
        label: hasRight ? `${s.name}${onRight[i] ? ' (right axis)' : ''}` : s.name,
        data: s.values,
        yAxisID: onRight[i] ? 'y1' : 'y',
        backgroundColor: COLORS[i % COLORS.length] + (spec.kind === 'bar' ? 'cc' : '33'),
        borderColor: COLORS[i % COLORS.length],
        borderWidth: spec.kind === 'bar' ? 0 : 2,
        pointRadius: spec.labels.length > 60 ? 0 : 3,
        tension: 0.2,
        spanGaps: true,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: { position: 'top' },
        tooltip: { enabled: true },
      },
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 45 } },
        y: { beginAtZero: true, position: 'left' },
        y1: { display: hasRight, beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } },
      },
    },
  });
  return () => chart.destroy();
}
