import { type FormEvent, useEffect, useState } from "react";
import {
  ApiError,
  api,
  apiKey,
  type ContributionView,
  errorFrom,
  type Model,
  type Receipt,
  type SpanAttribution,
  setApiKey,
} from "../api.ts";
import { Account, Empty, ErrorBox, Loading, useAsync } from "../components.tsx";
import { ppm, short } from "../format.ts";
import { Money } from "../money.tsx";
import { Link } from "../router.tsx";
import { ContributionDetails } from "./ContributionPage.tsx";

type Message = {
  role: "user" | "assistant";
  content: string;
  receipt?: Receipt;
  attribution?: SpanAttribution["attribution"];
  attributionError?: unknown;
};

type Span = SpanAttribution["attribution"]["spans"][number];

/** Streams a chat completion; calls `onText` per token and resolves with the text and the receipt. */
async function streamChat(
  key: string,
  model: string,
  messages: { role: string; content: string }[],
  onText: (text: string) => void,
): Promise<{ text: string; receipt?: Receipt }> {
  let res: Response;
  try {
    res = await fetch("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages, stream: true, temperature: 0 }),
    });
  } catch {
    throw new ApiError(0, "NODE_UNREACHABLE", "cannot reach the node", "Check that the node runs.");
  }
  if (!res.ok || !res.body) throw errorFrom(res.status, await res.text(), "chat");
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let text = "";
  let receipt: Receipt | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut = buffer.indexOf("\n\n");
    while (cut !== -1) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf("\n\n");
      const data = event
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trim())
        .join("");
      if (!data || data === "[DONE]") continue;
      const chunk = JSON.parse(data) as {
        choices?: { delta?: { content?: string } }[];
        tributary?: { receipt: Receipt };
        error?: { message: string; code?: string; tributary_code?: string; hint?: string };
      };
      if (chunk.error)
        throw new ApiError(
          500,
          chunk.error.tributary_code ?? chunk.error.code ?? "STREAM_ERROR",
          chunk.error.message,
          chunk.error.hint ?? "",
        );
      const delta = chunk.choices?.[0]?.delta?.content ?? "";
      if (delta) {
        text += delta;
        onText(text);
      }
      if (chunk.tributary) receipt = chunk.tributary.receipt;
    }
  }
  return receipt ? { text, receipt } : { text };
}

/** Chat with a model; the answer shows which spans came from which contributions, and what it paid to whom. */
export function Playground({ initialModel }: { initialModel: string }) {
  const models = useAsync((signal) => api<{ data: Model[] }>("GET", "/v1/models", undefined, { signal }), []);
  const [model, setModel] = useState(initialModel);
  const [key, setKey] = useState(apiKey());
  const [input, setInput] = useState("");
  const [messages, setMessages] = useState<Message[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<{ span: Span; contributionId: string }>();

  useEffect(() => {
    const first = models.value?.data[0];
    if (!model && first) setModel(first.id);
  }, [models.value, model]);

  const current = models.value?.data.find((m) => m.id === model);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!input.trim() || !model) return;
    setError(undefined);
    setSelected(undefined);
    const history = [...messages, { role: "user" as const, content: input.trim() }];
    setMessages([...history, { role: "assistant", content: "" }]);
    setInput("");
    setBusy(true);
    setError(undefined);
    const setLast = (patch: Partial<Message>) =>
      setMessages((list) => list.map((m, i) => (i === list.length - 1 ? { ...m, ...patch } : m)));
    try {
      const { text, receipt } = await streamChat(
        key,
        model,
        history.map((m) => ({ role: m.role, content: m.content })),
        (t) => setLast({ content: t }),
      );
      setLast({ content: text, ...(receipt ? { receipt } : {}) });
      const dv = current?.tributary?.datanetVersions[0];
      if (dv && text.trim()) {
        try {
          const a = await api<SpanAttribution>("POST", "/v1/attribution", {
            datanetId: dv.datanetId,
            version: dv.version,
            text,
          });
          setLast({ attribution: a.attribution });
        } catch (attributionError) {
          setLast({ attributionError });
        }
      }
    } catch (err) {
      // Nothing was answered (or charged): put the message back in the box to retry.
      setError(err);
      setMessages(messages);
      setInput(history[history.length - 1]!.content);
    } finally {
      setBusy(false);
    }
  };

  const last = [...messages].reverse().find((m) => m.role === "assistant" && m.receipt);

  return (
    <section>
      <div className="page-head">
        <h1>Playground</h1>
        <p className="lede">Every answer is paid for, and shows which contributions it came from.</p>
      </div>
      <div className="panel form">
        <div className="row">
          <label>
            <span>Model</span>
            <select value={model} onChange={(e) => setModel(e.target.value)} disabled={!models.value}>
              {(models.value?.data ?? []).map((m) => (
                <option key={m.id} value={m.id}>
                  {m.id}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>API key</span>
            <input
              type="password"
              autoComplete="off"
              placeholder="trib_…"
              value={key}
              onChange={(e) => {
                setKey(e.target.value);
                setApiKey(e.target.value);
              }}
            />
          </label>
        </div>
        <p className="muted small-text">
          The key stays in this browser (localStorage) and is sent only to this node.
        </p>
      </div>
      {models.loading && !models.value ? <Loading what="models" /> : null}
      <ErrorBox error={models.error} title="Could not list the models" />
      {models.value && models.value.data.length === 0 ? (
        <Empty title="No model to chat with">
          See <Link to="/models">Models</Link>: a model is registered on a published datanet version.
        </Empty>
      ) : null}
      <div className="playground">
        <div className="chat">
          <ol className="messages" aria-label="Conversation" aria-live="polite">
            {messages.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: messages are append-only
              <li key={i} className={`message ${m.role}`}>
                <span className="who">{m.role === "user" ? "You" : model}</span>
                {m.role === "assistant" && m.attribution ? (
                  <Highlighted
                    text={m.content}
                    spans={m.attribution.spans}
                    selected={selected?.span}
                    onSelect={(span, contributionId) => setSelected({ span, contributionId })}
                  />
                ) : (
                  <p className="text">{m.content || (busy ? "…" : "")}</p>
                )}
                {m.attribution ? (
                  <p className="muted small-text">
                    {m.attribution.spans.length === 0
                      ? "No span of this answer occurs verbatim in the training data."
                      : `${m.attribution.attributedTokens} of ${m.attribution.outputTokens} tokens found in ${m.attribution.contributions.length} contribution(s). Select a highlighted span to see its source.`}
                  </p>
                ) : null}
                {m.attributionError ? (
                  <ErrorBox error={m.attributionError} title="No span attribution" />
                ) : null}
              </li>
            ))}
          </ol>
          <form className="composer" onSubmit={send}>
            <label className="visually-hidden" htmlFor="prompt">
              Message
            </label>
            <textarea
              id="prompt"
              rows={2}
              value={input}
              placeholder="Ask something…"
              onChange={(e) => setInput(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey) {
                  e.preventDefault();
                  e.currentTarget.form?.requestSubmit();
                }
              }}
            />
            <button type="submit" className="primary" disabled={busy || !input.trim() || !model}>
              {busy ? "Answering…" : "Send"}
            </button>
          </form>
          <ErrorBox error={error} title="The model did not answer" />
        </div>
        <aside className="side" aria-label="Sources and receipt">
          {selected ? (
            <SpanSource
              span={selected.span}
              contributionId={selected.contributionId}
              onClose={() => setSelected(undefined)}
            />
          ) : null}
          {last?.receipt ? <ReceiptView receipt={last.receipt} /> : null}
          {!selected && !last?.receipt ? (
            <Empty title="No answer yet">
              The receipt of each answer and the sources of its spans show here.
            </Empty>
          ) : null}
        </aside>
      </div>
    </section>
  );
}

const PALETTE = 6;
function colorOf(contributionId: string): number {
  let h = 0;
  for (const ch of contributionId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % PALETTE;
}

/** The answer with its attributed spans as buttons (rarest span wins where spans overlap). */
function Highlighted({
  text,
  spans,
  selected,
  onSelect,
}: {
  text: string;
  spans: Span[];
  selected: Span | undefined;
  onSelect: (span: Span, contributionId: string) => void;
}) {
  const cuts = new Set<number>([0, text.length]);
  for (const s of spans) {
    cuts.add(Math.max(0, Math.min(text.length, s.charStart)));
    cuts.add(Math.max(0, Math.min(text.length, s.charEnd)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const parts = [];
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const piece = text.slice(a, b);
    const span = spans.find((s) => s.charStart <= a && s.charEnd >= b);
    const source = span?.sources[0]?.contributionId;
    if (span && source) {
      parts.push(
        // A link to the contribution (inline, focusable, opens in a new tab); a plain click opens the side panel.
        <a
          key={a}
          href={`/contributions/${source}`}
          className={`span c${colorOf(source)} ${selected === span ? "active" : ""}`}
          title={`From contribution #${source}${span.occurrences > 1 ? ` (found in ${span.occurrences} places)` : ""}`}
          data-contribution={source}
          onClick={(e) => {
            if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
            e.preventDefault();
            onSelect(span, source);
          }}
          onMouseEnter={() => onSelect(span, source)}
          onFocus={() => onSelect(span, source)}
        >
          {piece}
        </a>,
      );
    } else parts.push(<span key={a}>{piece}</span>);
  }
  return (
    <p className="text" data-testid="attributed-answer">
      {parts}
    </p>
  );
}

function SpanSource({
  span,
  contributionId,
  onClose,
}: {
  span: Span;
  contributionId: string;
  onClose: () => void;
}) {
  const c = useAsync(
    (signal) => api<ContributionView>("GET", `/v1/contributions/${contributionId}`, undefined, { signal }),
    [contributionId],
  );
  const others = [...new Set(span.sources.map((s) => s.contributionId))].filter(
    (id) => id !== contributionId,
  );
  return (
    <section className="panel source" aria-label="Source of the selected span" data-testid="span-source">
      <div className="card-head">
        <h2>Source</h2>
        <button type="button" className="small" onClick={onClose} aria-label="Close the source panel">
          Close
        </button>
      </div>
      <blockquote className="quote">“{span.text}”</blockquote>
      {c.loading && !c.value ? <Loading what="the contribution" /> : null}
      <ErrorBox error={c.error} title="Could not load the contribution" />
      {c.value ? <ContributionDetails view={c.value} heading="h2" /> : null}
      <div className="actions">
        <Link className="button primary" to={`/contributions/${contributionId}`}>
          Open contribution #{contributionId}
        </Link>
        {c.value ? (
          <Link className="button" to={`/earnings/${c.value.contributor}`}>
            Contributor's earnings
          </Link>
        ) : null}
      </div>
      {others.length > 0 ? (
        <p className="muted">
          Also found in:{" "}
          {others.map((id) => (
            <Link key={id} to={`/contributions/${id}`} className="sep">
              #{id}
            </Link>
          ))}
        </p>
      ) : null}
    </section>
  );
}

const ROLE_ORDER = ["protocol", "owner", "agent", "contributor"];

function ReceiptView({ receipt }: { receipt: Receipt }) {
  const byRole = new Map<string, bigint>();
  for (const p of receipt.parts) byRole.set(p.role, (byRole.get(p.role) ?? 0n) + BigInt(p.amount));
  const parts = [...receipt.parts].sort(
    (a, b) =>
      ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) ||
      (BigInt(b.amount) > BigInt(a.amount) ? 1 : -1),
  );
  return (
    <section className="panel receipt" aria-label="Receipt" data-testid="receipt">
      <h2>Receipt</h2>
      <dl className="facts">
        <div>
          <dt>Price</dt>
          <dd data-testid="receipt-price">
            <Money units={receipt.price} />
          </dd>
        </div>
        <div>
          <dt>Charged</dt>
          <dd>
            <Money units={receipt.charged} />
          </dd>
        </div>
        <div>
          <dt>Output tokens</dt>
          <dd>{receipt.outputTokens}</dd>
        </div>
        <div>
          <dt>Receipt</dt>
          <dd className="mono" title={receipt.id}>
            {short(receipt.id)}
          </dd>
        </div>
      </dl>
      <h3>Split by role</h3>
      <ul className="split-bar" aria-label="Split by role">
        {ROLE_ORDER.filter((r) => byRole.has(r)).map((r) => {
          const share = Number((byRole.get(r)! * 10_000n) / (BigInt(receipt.charged) || 1n)) / 100;
          return (
            <li key={r} className={`role-${r}`} style={{ flexGrow: Math.max(share, 1) }}>
              {r} <Money units={byRole.get(r)!} /> ({share}%)
            </li>
          );
        })}
      </ul>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Role</th>
              <th>Account</th>
              <th>Amount</th>
              <th className="wide-only">For</th>
            </tr>
          </thead>
          <tbody>
            {parts.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: parts are fixed
              <tr key={i}>
                <td>{p.role}</td>
                <td>
                  <Account address={p.account} />
                </td>
                <td>
                  <Money units={p.amount} />
                </td>
                <td className="wide-only">
                  {p.contributionId ? (
                    <Link to={`/contributions/${p.contributionId}`}>#{p.contributionId}</Link>
                  ) : (
                    "–"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {receipt.attribution.contributions.length > 0 ? (
        <p className="muted small-text">
          Data share by {receipt.attribution.algorithm}:{" "}
          {receipt.attribution.contributions.map((c) => (
            <span key={c.contributionId} className="sep">
              #{c.contributionId} {ppm(c.ppm)}
            </span>
          ))}
        </p>
      ) : null}
    </section>
  );
}
