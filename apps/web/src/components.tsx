import { type DependencyList, type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "./api.ts";
import { short } from "./format.ts";
import { Link } from "./router.tsx";

/** Async data for a component: value, error, loading, and a reload function. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList) {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(ctrl.signal).then(
      (value) => !ctrl.signal.aborted && setState({ value, loading: false }),
      (error: unknown) => !ctrl.signal.aborted && setState({ error, loading: false }),
    );
    return () => ctrl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Shows an error: the API's message, its hint and code, or any other error's message. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : undefined;
  const message = e ? e.message : error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert">
      <strong>{title ?? "Something went wrong"}</strong>
      <p className="error-message">{message}</p>
      {e?.hint ? <p className="hint">{e.hint}</p> : null}
      {e ? <p className="code">{e.code}</p> : null}
    </div>
  );
}

/** A loading line, announced to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** An empty state with what to do next. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

/** An address linking to its earnings dashboard. */
export function Account({ address }: { address: string }) {
  return (
    <Link to={`/earnings/${address}`} className="mono" title={address}>
      {short(address)}
    </Link>
  );
}

/** A labelled figure. */
export function Stat({ label, value, note }: { label: string; value: ReactNode; note?: string }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      {note ? <span className="stat-note">{note}</span> : null}
    </div>
  );
}

/** A status pill. */
export function Badge({
  children,
  tone,
}: {
  children: ReactNode;
  tone?: "ok" | "warn" | "bad" | "info" | undefined;
}) {
  return <span className={`badge ${tone ?? ""}`}>{children}</span>;
}

/** Runs an action with busy and error state, for buttons. */
export function useAction<A extends unknown[], T>(run: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<T>();
  const go = async (...args: A): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await run(...args);
      setResult(r);
      return r;
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, result, go, setError };
}
