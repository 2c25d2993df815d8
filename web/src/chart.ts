// Charts of a result (Chart.js, only the parts used): bars, lines, areas, points and pies. Loaded on
// first use, so the console's first load does not carry it. Dates go on a linear axis of epoch
// milliseconds with date labels: a real time axis (gaps show as gaps) without a date adapter.
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PieController,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';

Chart.register(
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PieController,
  PointElement,
  ScatterController,
  Tooltip,
);

export type ChartKind = 'bar' | 'line' | 'area' | 'scatter' | 'pie';

export interface ChartSeries {
  name: string;
  // y per label (category x), or points (time or numeric x).
  values?: (number | null)[];
  points?: { x: number; y: number }[];
}

export interface ChartSpec {
  kind: ChartKind;
  x: 'category' | 'time' | 'number';
  xTitle: string;
  yTitle: string;
  labels: string[]; // category x: one per value of x
  series: ChartSeries[];
  // For axis labels and ticks: the page's text and grid colours (dark mode) and whether space is short.
  colors: { text: string; grid: string };
  narrow: boolean;
}

export const COLORS = ['#1f77b4', '#e07a1f', '#2a9d8f', '#c2410c', '#7c3aed', '#0891b2', '#be185d', '#65a30d', '#a16207', '#475569'];

function dateLabel(ms: number, withTime: boolean): string {
  const d = new Date(ms);
  return withTime ? d.toISOString().slice(0, 16).replace('T', ' ') : d.toISOString().slice(0, 10);
}

export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): () => void {
  const font = { size: spec.narrow ? 10 : 12 };
  const color = (i: number) => COLORS[i % COLORS.length];
  let chart: Chart;
  if (spec.kind === 'pie') {
    const values = spec.series[0]?.values ?? [];
    chart = new Chart(canvas, {
      type: 'pie',
      data: {
        labels: spec.labels,
        datasets: [{ label: spec.series[0]?.name ?? '', data: values.map((v) => v ?? 0), backgroundColor: spec.labels.map((_, i) => color(i)) }],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: spec.narrow ? 'bottom' : 'right', labels: { color: spec.colors.text, font } } },
      },
    });
    return () => chart.destroy();
  }

  // A series whose largest value is this many times smaller than the largest series' goes on a second
  // axis at the right, so a count beside a revenue in millions is not a flat line.
  const peaks = spec.series.map((s) => Math.max(0, ...(s.values ?? s.points?.map((p) => p.y) ?? []).map((v) => Math.abs(v ?? 0))));
  const top = Math.max(0, ...peaks);
  const onRight = peaks.map((p) => spec.kind !== 'area' && spec.series.length > 1 && top > 0 && p * 20 < top);
  const hasRight = onRight.some(Boolean);
  const onTimeAxis = spec.x === 'time';
  const span = onTimeAxis ? spanOf(spec.series) : 0;
  const withTime = onTimeAxis && span < 3 * 86_400_000;
  const pointsOnX = spec.x !== 'category';
  const type = spec.kind === 'area' ? 'line' : spec.kind;
  chart = new Chart(canvas, {
    type,
    data: {
      labels: pointsOnX ? undefined : spec.labels,
      datasets: spec.series.map((s, i) => ({
        label: hasRight && onRight[i] ? `${s.name} (right axis)` : s.name,
        yAxisID: onRight[i] ? 'y1' : 'y',
        data: (pointsOnX ? s.points : s.values) as never,
        backgroundColor: color(i) + (spec.kind === 'bar' ? 'dd' : spec.kind === 'area' ? '55' : 'aa'),
        borderColor: color(i),
        borderWidth: spec.kind === 'bar' ? 0 : spec.kind === 'scatter' ? 1 : 2,
        fill: spec.kind === 'area' ? (i === 0 ? 'origin' : '-1') : false,
        pointRadius: spec.kind === 'scatter' ? 3 : (s.points?.length ?? s.values?.length ?? 0) > 60 ? 0 : 3,
        showLine: spec.kind !== 'scatter',
        tension: 0.2,
        spanGaps: true,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: pointsOnX ? false : undefined,
      interaction: spec.kind === 'scatter' ? { mode: 'nearest', intersect: true } : { mode: 'index', intersect: false },
      plugins: {
        legend: { position: 'top', labels: { color: spec.colors.text, font, boxWidth: spec.narrow ? 10 : 40 } },
        tooltip: {
          enabled: true,
          callbacks: onTimeAxis ? { title: (items) => (items[0] ? dateLabel(items[0].parsed.x ?? 0, withTime) : '') } : {},
        },
      },
      scales: {
        x: {
          type: pointsOnX ? 'linear' : 'category',
          stacked: spec.kind === 'area',
          title: { display: !spec.narrow, text: spec.xTitle, color: spec.colors.text },
          grid: { color: spec.colors.grid },
          ticks: {
            color: spec.colors.text,
            font,
            autoSkip: true,
            maxRotation: spec.narrow ? 60 : 45,
            callback: onTimeAxis
              ? (value) => dateLabel(Number(value), withTime)
              : pointsOnX
                ? undefined
                : function (this: { getLabelForValue(v: number): string }, value) {
                    const label = this.getLabelForValue(Number(value));
                    const max = spec.narrow ? 10 : 18;
                    return label.length > max ? `${label.slice(0, max - 1)}…` : label;
                  },
          },
        },
        y: {
          beginAtZero: true,
          stacked: spec.kind === 'area',
          title: { display: !spec.narrow, text: spec.yTitle, color: spec.colors.text },
          grid: { color: spec.colors.grid },
          ticks: { color: spec.colors.text, font, maxTicksLimit: spec.narrow ? 6 : 10 },
        },
        y1: {
          display: hasRight,
          beginAtZero: true,
          position: 'right',
          grid: { drawOnChartArea: false },
          ticks: { color: spec.colors.text, font, maxTicksLimit: spec.narrow ? 6 : 10 },
        },
      },
    },
  });
  return () => chart.destroy();
}

function spanOf(series: ChartSeries[]): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (const p of s.points ?? []) {
      lo = Math.min(lo, p.x);
      hi = Math.max(hi, p.x);
    }
  return hi > lo ? hi - lo : 0;
}
