// Small pieces shared by the views.
import type { ComponentChildren } from 'preact';

// A thin bar at the top of a panel while it loads. CSS shows it only after 150 ms, so fast answers do
// not flicker; it overlays the panel and takes no space, so nothing moves when it comes and goes.
export function LoadingBar({ active }: { active: boolean }) {
  return active ? <div class="loading-bar" role="progressbar" aria-label="Loading" /> : null;
}

export function Spinner({ label }: { label?: string }) {
  return <span class="spinner" role={label ? 'status' : undefined} aria-label={label} />;
}

export function ErrorBox({ message, title, onRetry }: { message: string; title?: string; onRetry?: () => void }) {
  return (
    <div class="error-box" role="alert">
      {title && <strong class="error-title">{title}</strong>}
      <pre class="error-message">{message}</pre>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Notice({ children, kind = 'info' }: { children: ComponentChildren; kind?: 'info' | 'success' }) {
  return (
    <div class={`notice notice-${kind}`} role="status">
      {children}
    </div>
  );
}

interface PagerProps {
  page: number;
  lastPage: number;
  onPage: (page: number) => void;
  disabled?: boolean;
  label: string;
}

export function Pager({ page, lastPage, onPage, disabled, label }: PagerProps) {
  const go = (p: number) => () => onPage(Math.min(Math.max(1, p), lastPage));
  const atStart = disabled || page <= 1;
  const atEnd = disabled || page >= lastPage;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="btn btn-small" onClick={go(1)} disabled={atStart} aria-label="First page">
        «
      </button>
      <button type="button" class="btn btn-small" onClick={go(page - 1)} disabled={atStart} aria-label="Previous page">
        ‹ Prev
      </button>
      <span class="pager-pos" aria-live="polite">
        Page <strong>{page.toLocaleString('en-US')}</strong> of {lastPage.toLocaleString('en-US')}
      </span>
      <button type="button" class="btn btn-small" onClick={go(page + 1)} disabled={atEnd} aria-label="Next page">
        Next ›
      </button>
      <button type="button" class="btn btn-small" onClick={go(lastPage)} disabled={atEnd} aria-label="Last page">
        »
      </button>
    </nav>
  );
}

export function PageSizeSelect({
  value,
  options,
  onChange,
  id,
  disabled,
}: {
  value: number;
  options: number[];
  onChange: (size: number) => void;
  id: string;
  disabled?: boolean;
}) {
  return (
    <label class="page-size" for={id}>
      Rows per page
      <select
        id={id}
        value={String(value)}
        disabled={disabled}
        onChange={(e) => onChange(Number((e.currentTarget as HTMLSelectElement).value))}
      >
        {options.map((o) => (
          <option key={o} value={String(o)}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
