// The server's JSON API, as the console uses it. Every call goes to the page's own origin, so the
// Content-Security-Policy can say connect-src 'self'.

export interface Column {
  name: string;
  type: string;
}

export interface TableSummary {
  id: number;
  database: string;
  schema: string;
  name: string;
  columns: Column[];
  partition_keys: string[];
  sort_keys: string[];
  rows: number;
  bytes: number;
  micro_partitions: number;
  version: number;
  created_at: string;
  status?: string;
  location?: string;
}

export interface DatabasesResponse {
  databases: { name: string; schemas: { name: string; tables: TableSummary[] }[] }[];
}

export interface ColumnStats {
  min: unknown;
  max: unknown;
  null_count: number | null;
  distinct_count: number | null;
}

export interface MicroPartition {
  id: number;
  path: string;
  partition_path: string;
  partition_values: Record<string, unknown>;
  rows: number;
  bytes: number;
  modified_at: string | null;
  stats: Record<string, ColumnStats>;
}

export type SortColumn = 'id' | 'rows' | 'filesize';
export type SortDirection = 'asc' | 'desc';

export interface TableResponse {
  table: TableSummary;
  micro_partitions: MicroPartition[];
  totals: { micro_partitions: number; rows: number; bytes: number };
  pagination: { page: number; pageSize: number; totalPages: number; sortColumn: SortColumn; sortDirection: SortDirection };
}

export type Row = Record<string, unknown>;

export interface ExecuteResponse {
  data: { rows: Row[]; columns: Column[]; query: string; registered_tables: string[] };
  total: number;
  page: number;
  per_page: number;
  from: number;
  to: number;
  last_page: number;
  stats: { execution_time: number; rows_in_tables?: number; bytes_in_tables?: number };
}

export interface FakeTableStatus {
  name: string;
  exists: boolean;
  // 'spec' for a table made from a fake-data spec (a file in FAKE_DATA_SPECS, or one sent to /dev/fake-tables).
  kind?: 'built-in' | 'spec';
  database?: string;
  schema?: string;
  // The digest of the spec as it is now (on disk, or as recorded), where the table comes from a spec.
  spec_digest?: string;
  spec_source?: string;
  // The digest of the spec the existing table was made from; spec_changed when they differ.
  table_spec_digest?: string;
  spec_changed?: boolean;
  column_count?: number;
  table_id?: number | null;
  description?: string;
  status?: string;
  rows?: number | null;
  bytes?: number | null;
  micro_partitions?: number | null;
  version?: number | null;
  seed?: number | string | null;
  scale?: number | null;
  base_rows?: number | null;
  partition_keys?: string[];
  sort_keys?: string[];
  columns?: unknown[];
}

export interface FakeDataStatus {
  database?: string;
  schema?: string;
  tables: FakeTableStatus[];
  // The folder (or file) of spec files, and why they did not load when they did not.
  specs?: string;
  spec_error?: string;
  [key: string]: unknown;
}

// POST /dev/fake-tables/preview: sample rows of each table of a spec, written nowhere.
export interface SpecPreviewTable {
  name: string;
  database: string;
  schema: string;
  description?: string;
  rows_total: number;
  partition_keys: string[];
  sort_keys: string[];
  columns: Column[];
  rows: Row[];
}

export interface SpecPreview {
  tables: SpecPreviewTable[];
}

// POST /dev/fake-tables: what a spec's tables became.
export interface SpecCreated {
  created: string[];
  existing: string[];
  dropped: number[];
  tables: { name: string; database: string; schema: string; spec_digest: string }[];
}

export interface User {
  id: number;
  email: string;
  is_active: boolean;
  created_at: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'superstore.token';

let token: string | null = sessionStorage.getItem(TOKEN_KEY);
let onUnauthorized: (message: string) => void = () => {};

export function hasToken(): boolean {
  return token !== null;
}

export function setToken(value: string | null): void {
  token = value;
  if (value === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
}

// Called once when a request with a token is refused with 401: the token expired, was logged out
// elsewhere, or the user was disabled. The app then shows the login form with the message.
export function setUnauthorizedHandler(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

interface RequestOptions {
  json?: unknown;
  // A body sent as it is (a fake-data spec, YAML or JSON).
  text?: string;
  form?: Record<string, string>;
  signal?: AbortSignal;
}

// JSON.parse, except that whole numbers beyond 2^53 (BIGINT sums, ids) keep their exact digits as a
// string instead of being rounded, where the browser tells the reviver the number's source text.
function parseJson(text: string): unknown {
  return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) => {
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      const source = context?.source;
      if (source && /^-?\d+$/.test(source)) return source;
    }
    return value;
  });
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.text !== undefined) {
    headers['Content-Type'] = 'application/yaml; charset=utf-8';
    body = options.text;
  } else if (options.form) {
    body = new URLSearchParams(options.form);
  }
  const sentToken = token;
  if (sentToken) headers.Authorization = `Bearer ${sentToken}`;

  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, signal: options.signal, cache: 'no-store' });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'Cannot reach the server. Is `superstore serve` still running?');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? parseJson(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const serverMessage =
      parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string'
        ? (parsed as { error: string }).error
        : `the server answered HTTP ${response.status}`;
    // Only a token this request carried can have expired; a later login must not be undone by an old answer.
    if (response.status === 401 && sentToken && sentToken === token) {
      setToken(null);
      onUnauthorized(serverMessage);
    }
    throw new ApiError(response.status, serverMessage);
  }
  return parsed as T;
}

export const api = {
  login: (email: string, password: string) =>
    request<{ access_token: string; token_type: string }>('POST', '/auth/jwt/login', {
      form: { username: email, password },
    }),
  logout: () => request<void>('POST', '/auth/jwt/logout'),
  me: () => request<User>('GET', '/auth/me'),
  databases: (signal?: AbortSignal) => request<DatabasesResponse>('GET', '/databases', { signal }),
  table: (
    id: number,
    params: { page: number; pageSize: number; sortColumn: SortColumn; sortDirection: SortDirection },
    signal?: AbortSignal,
  ) => {
    const query = new URLSearchParams({
      page: String(params.page),
      pageSize: String(params.pageSize),
      sortColumn: params.sortColumn,
      sortDirection: params.sortDirection,
    });
    return request<TableResponse>('GET', `/table/${id}?${query}`, { signal });
  },
  execute: (query: string, page: number, perPage: number, signal?: AbortSignal) =>
    request<ExecuteResponse>('POST', '/execute', { json: { query, page, per_page: perPage }, signal }),
  fakeDataStatus: (signal?: AbortSignal) => request<FakeDataStatus>('GET', '/dev/fake-data-status', { signal }),
  createFakeData: () => request<{ created?: string[]; existing?: string[] }>('POST', '/dev/create-fake-data'),
  // Every fake table, or only `table`.
  resetFakeData: (table?: string) =>
    request<{ created?: string[]; dropped?: number[] }>(
      'DELETE',
      table ? `/dev/reset-fake-data?${new URLSearchParams({ table })}` : '/dev/reset-fake-data',
    ),
  previewSpec: (spec: string, rows: number, signal?: AbortSignal) =>
    request<SpecPreview>('POST', `/dev/fake-tables/preview?${new URLSearchParams({ rows: String(rows) })}`, {
      text: spec,
      signal,
    }),
  createSpecTables: (spec: string, replace: boolean) =>
    request<SpecCreated>('POST', `/dev/fake-tables?replace=${replace ? 'true' : 'false'}`, { text: spec }),
};

export type DownloadFormat = 'csv' | 'ndjson' | 'parquet';

// The whole result of `query` as a file: POST /execute with "format", which streams every row.
export async function downloadResult(
  query: string,
  format: DownloadFormat,
  signal?: AbortSignal,
): Promise<{ blob: Blob; filename: string }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch('/execute', { method: 'POST', headers, body: JSON.stringify({ query, format }), signal, cache: 'no-store' });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'Cannot reach the server. Is `superstore serve` still running?');
  }
  if (!response.ok) {
    const text = await response.text();
    let message = `the server answered HTTP ${response.status}`;
    try {
      const parsed = JSON.parse(text) as { error?: unknown };
      if (typeof parsed.error === 'string') message = parsed.error;
    } catch {
      // Not JSON: keep the status.
    }
    throw new ApiError(response.status, message);
  }
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `result.${format}`;
  return { blob: await response.blob(), filename };
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
