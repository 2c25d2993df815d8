// A result as a chart: the kind, the x column, one or more y columns and a series column are chosen
// here (with defaults that fit most results). The chart covers the whole result up to CHART_ROWS rows,
// fetched once for it, and says so when the result has more.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import { api, errorMessage, isAbort, type Column, type ExecuteResponse, type Row } from './api';
import type { ChartKind, ChartSeries, ChartSpec } from './chart';
import { formatCount, isNumeric, kindOf } from './format';
import { THEME_EVENT } from './theme';
import { ErrorBox, Spinner } from './ui';

export const CHART_ROWS = 10_000;
const MAX_SERIES = 12;
const KINDS: { kind: ChartKind; label: string }[] = [
  { kind: 'bar', label: 'Bars' },
  { kind: 'line', label: 'Lines' },
  { kind: 'area', label: 'Areas' },
  { kind: 'scatter', label: 'Points' },
  { kind: 'pie', label: 'Pie' },
];

export interface ChartChoice {
  kind: ChartKind;
  x: string;
  ys: string[];
  series: string; // '' for none
}

// Why a result cannot be charted, or null when it can.
export function chartProblem(columns: Column[]): string | null {
  if (columns.length === 0) return 'This result has no columns to chart.';
  if (!columns.some((c) => isNumeric(c.type)))
    return `A chart needs a numeric column for its values, and this result has none (${columns.map((c) => `${c.name}: ${c.type}`).join(', ')}).`;
  if (columns.length < 2 && !columns.some((c) => !isNumeric(c.type))) return 'A chart needs a second column for its x axis.';
  return null;
}

// The defaults: x is the first date column, else the first text column, else the first column; a second
// text column becomes the series; the numeric columns other than x are the values.
export function defaultChoice(columns: Column[]): ChartChoice {
  const temporal = columns.find((c) => kindOf(c.type) === 'temporal');
  const texts = columns.filter((c) => kindOf(c.type) === 'text' || kindOf(c.type) === 'bool');
  const x = temporal ?? texts[0] ?? columns[0];
  const series = texts.find((c) => c.name !== x.name);
  const ys = columns.filter((c) => isNumeric(c.type) && c.name !== x.name).map((c) => c.name);
  return { kind: temporal ? 'line' : 'bar', x: x.name, ys: ys.slice(0, 4), series: series?.name ?? '' };
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function toTime(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const ms = typeof value === 'number' ? value : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isFinite(ms) ? ms : null;
}

function label(value: unknown): string {
  return value === null || value === undefined ? 'NULL' : String(value);
}

// The chart's data from the rows: categories in order of first appearance, or points sorted by x; one
// series per y column, times one per value of the series column.
export function chartData(
  columns: Column[],
  rows: Row[],
  choice: ChartChoice,
): { x: ChartSpec['x']; labels: string[]; series: ChartSeries[]; droppedSeries: number } {
  const xColumn = columns.find((c) => c.name === choice.x)!;
  const xKind = kindOf(xColumn.type);
  const x: ChartSpec['x'] =
    choice.kind === 'pie' || choice.kind === 'bar' ? 'category' : xKind === 'temporal' ? 'time' : isNumeric(xColumn.type) ? 'number' : 'category';
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = choice.series ? label(row[choice.series]) : '';
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(row);
  }
  const keys = [...groups.keys()];
  const droppedSeries = Math.max(0, keys.length - MAX_SERIES);
  const ys = choice.kind === 'pie' ? choice.ys.slice(0, 1) : choice.ys;
  const series: ChartSeries[] = [];
  let labels: string[] = [];
  if (x === 'category') {
    const index = new Map<string, number>();
    for (const row of rows) {
      const l = label(row[choice.x]);
      if (!index.has(l)) index.set(l, index.size);
    }
    labels = [...index.keys()];
    for (const key of keys.slice(0, MAX_SERIES))
      for (const y of ys) {
        const values: (number | null)[] = labels.map(() => null);
        for (const row of groups.get(key)!) {
          const v = toNumber(row[y]);
          if (v === null) continue;
          const at = index.get(label(row[choice.x]))!;
          values[at] = (values[at] ?? 0) + v;
        }
        series.push({ name: seriesName(key, y, ys.length, choice.series), values });
      }
  } else {
    for (const key of keys.slice(0, MAX_SERIES))
      for (const y of ys) {
        const points: { x: number; y: number }[] = [];
        for (const row of groups.get(key)!) {
          const px = x === 'time' ? toTime(row[choice.x]) : toNumber(row[choice.x]);
          const py = toNumber(row[y]);
          if (px !== null && py !== null) points.push({ x: px, y: py });
        }
        points.sort((a, b) => a.x - b.x);
        series.push({ name: seriesName(key, y, ys.length, choice.series), points });
      }
  }
  return { x, labels, series, droppedSeries };
}

function seriesName(key: string, y: string, yCount: number, seriesColumn: string): string {
  if (!seriesColumn) return y;
  return yCount > 1 ? `${key} · ${y}` : key;
}

function cssColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

// `query` is the result's query as sent (sorted as the grid is), or null when there is none to fetch again.
export function ChartPanel({ result, query }: { result: ExecuteResponse; query: string | null }) {
  const columns = result.data.columns;
  const problem = chartProblem(columns);
  const [choice, setChoice] = useState<ChartChoice>(() => defaultChoice(columns));
  const [rows, setRows] = useState<Row[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [drawn, setDrawn] = useState(false);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  // Drawn again in the other theme's colours when the theme changes.
  const [themeTick, setThemeTick] = useState(0);
  useEffect(() => {
    const redraw = () => setThemeTick((t) => t + 1);
    window.addEventListener(THEME_EVENT, redraw);
    return () => window.removeEventListener(THEME_EVENT, redraw);
  }, []);

  // The whole result (up to CHART_ROWS rows), once per query.
  useEffect(() => {
    if (problem) return;
    if (query === null || result.total <= result.data.rows.length) {
      setRows(result.data.rows);
      setTotal(result.total);
      return;
    }
    const controller = new AbortController();
    setRows(null);
    api
      .execute(query, 1, CHART_ROWS, controller.signal)
      .then((whole) => {
        setRows(whole.data.rows);
        setTotal(whole.total);
      })
      .catch((e) => {
        if (!isAbort(e)) setError(errorMessage(e));
      });
    return () => controller.abort();
  }, [query]);

  const data = useMemo(() => (rows && !problem && choice.ys.length > 0 ? chartData(columns, rows, choice) : null), [rows, choice]);

  useEffect(() => {
    if (!data || !canvasRef.current) return;
    let destroy: (() => void) | null = null;
    let cancelled = false;
    import('./chart')
      .then(({ drawChart }) => {
        if (cancelled || !canvasRef.current) return;
        destroy = drawChart(canvasRef.current, {
          kind: choice.kind,
          x: data.x,
          xTitle: choice.x,
          yTitle: choice.kind === 'pie' ? choice.ys[0] : choice.ys.join(', '),
          labels: data.labels,
          series: data.series,
          colors: { text: cssColor('--text', '#172033'), grid: cssColor('--border', '#dde3ea') },
          narrow: canvasRef.current.clientWidth < 520,
        });
        setDrawn(true);
      })
      .catch((e) => {
        if (!cancelled) setError(`The chart could not be drawn: ${errorMessage(e)}`);
      });
    return () => {
      cancelled = true;
      destroy?.();
    };
  }, [data, themeTick]);

  if (problem)
    return (
      <p class="chart-problem pad" data-testid="chart-problem">
        {problem}
      </p>
    );

  const numeric = columns.filter((c) => isNumeric(c.type) && c.name !== choice.x);
  const seriesOptions = columns.filter((c) => c.name !== choice.x && !isNumeric(c.type));
  const set = (change: Partial<ChartChoice>) => setChoice((old) => ({ ...old, ...change }));
  return (
    <div class="chart-panel">
      <div class="chart-toolbar">
        <div class="segmented" role="group" aria-label="Chart type">
          {KINDS.map(({ kind, label: name }) => (
            <button key={kind} type="button" class="btn btn-small" aria-pressed={choice.kind === kind} onClick={() => set({ kind })}>
              {name}
            </button>
          ))}
        </div>
        <label class="chart-field">
          x
          <select
            aria-label="x axis"
            value={choice.x}
            onChange={(e) => {
              const x = (e.currentTarget as HTMLSelectElement).value;
              set({ x, ys: choice.ys.filter((y) => y !== x), series: choice.series === x ? '' : choice.series });
            }}
          >
            {columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <fieldset class="chart-field chart-ys">
          <legend>y</legend>
          {numeric.map((c) => (
            <label key={c.name} class="chart-y">
              <input
                type="checkbox"
                checked={choice.ys.includes(c.name)}
                onChange={(e) =>
                  set({
                    ys: (e.currentTarget as HTMLInputElement).checked
                      ? numeric.map((n) => n.name).filter((n) => n === c.name || choice.ys.includes(n))
                      : choice.ys.filter((y) => y !== c.name),
                  })
                }
              />
              {c.name}
            </label>
          ))}
        </fieldset>
        <label class="chart-field">
          series
          <select aria-label="Series" value={choice.series} onChange={(e) => set({ series: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">none</option>
            {seriesOptions.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="muted small chart-note" data-testid="chart-note">
        {rows === null
          ? 'Fetching the rows to chart…'
          : total > rows.length
            ? `Charting the first ${formatCount(rows.length)} of ${formatCount(total)} rows.`
            : `Charting all ${formatCount(rows.length)} ${rows.length === 1 ? 'row' : 'rows'}.`}
        {data && data.droppedSeries > 0 && ` Only the first ${MAX_SERIES} series are drawn; ${data.droppedSeries} more are left out.`}
      </p>
      {error && <ErrorBox message={error} />}
      {choice.ys.length === 0 ? (
        <p class="chart-problem pad" data-testid="chart-problem">
          Choose at least one numeric column for y.
        </p>
      ) : (
        <div class="chart-box">
          {!drawn && !error && (
            <div class="chart-loading">
              <Spinner label="Loading the chart" />
            </div>
          )}
          <canvas
            ref={canvasRef}
            data-testid="result-chart"
            data-series={data ? data.series.map((s) => s.name).join('|') : ''}
            data-x={data?.x}
            aria-label={`Chart of ${choice.ys.join(', ')} by ${choice.x}${choice.series ? `, one series per ${choice.series}` : ''}`}
            role="img"
          />
        </div>
      )}
    </div>
  );
}
