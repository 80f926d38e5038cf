import { type FormEvent, useState } from "react";
import { apiKey, operatorToken, setApiKey, setOperatorToken } from "../api.ts";
import { ErrorBox } from "../components.tsx";
import { isAddress } from "../format.ts";
import { devKey, hasWallet, setDevKey } from "../signer.ts";

/** Operator token, API key, development signing key and the Settlement address, all kept in this browser. */
export function Settings() {
  const [token, setToken] = useState(operatorToken());
  const [key, setKey] = useState(apiKey());
  const [dev, setDev] = useState(devKey() ?? "");
  const [settlement, setSettlement] = useState(localStorage.getItem("tributary.settlement") ?? "");
  const [saved, setSaved] = useState("");
  const [error, setError] = useState<unknown>();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      setOperatorToken(token);
      setApiKey(key);
      const address = await setDevKey(dev);
      if (settlement && !isAddress(settlement))
        throw new Error("the Settlement address is 0x and 40 hex digits");
      if (settlement) localStorage.setItem("tributary.settlement", settlement.trim());
      else localStorage.removeItem("tributary.settlement");
      window.dispatchEvent(new Event("tributary:settings"));
      setSaved(address ? `Saved. Development key signs as ${address}.` : "Saved.");
    } catch (err) {
      setError(err);
      setSaved("");
    }
  };
  return (
    <section>
      <div className="page-head">
        <h1>Settings</h1>
        <p className="lede">Everything here stays in this browser.</p>
      </div>
      <form className="panel form" onSubmit={save}>
        <label>
          <span>Operator token</span>
          <input
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-describedby="token-help"
          />
        </label>
        <p id="token-help" className="muted small-text">
          Needed for operator actions (create a datanet, review, publish, close an epoch).{" "}
          <code>tributary up</code> prints it; opening the app at <code>/#operator=&lt;token&gt;</code> stores
          it too.
        </p>
        <label>
          <span>API key (playground)</span>
          <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
        </label>
        <label>
          <span>Development signing key (local networks only)</span>
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="0x… (64 hex digits)"
            value={dev}
            onChange={(e) => setDev(e.target.value)}
            aria-describedby="dev-help"
          />
        </label>
        <p id="dev-help" className="muted small-text">
          Signs uploads in this tab (kept in sessionStorage) when no wallet is used.{" "}
          {hasWallet()
            ? "A browser wallet is present: leave this empty to sign with it."
            : "No browser wallet found."}{" "}
          Never paste a key that holds real funds.
        </p>
        <label>
          <span>Settlement contract (for claims from a wallet)</span>
          <input
            spellCheck={false}
            placeholder="0x…"
            value={settlement}
            onChange={(e) => setSettlement(e.target.value)}
          />
        </label>
        <ErrorBox error={error} title="Not saved" />
        {saved ? (
          <p className="notice ok" role="status">
            {saved}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="primary">
            Save
          </button>
        </div>
      </form>
    </section>
  );
}
