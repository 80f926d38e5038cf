import { type ReactNode, useEffect, useState } from "react";
import { operatorToken } from "./api.ts";
import { ContributionPage } from "./pages/ContributionPage.tsx";
import { Curation } from "./pages/Curation.tsx";
import { DatanetDetail } from "./pages/DatanetDetail.tsx";
import { Datanets } from "./pages/Datanets.tsx";
import { Earnings } from "./pages/Earnings.tsx";
import { Epochs } from "./pages/Epochs.tsx";
import { Models } from "./pages/Models.tsx";
import { Playground } from "./pages/Playground.tsx";
import { Settings } from "./pages/Settings.tsx";
import { Upload } from "./pages/Upload.tsx";
import { Link, match, navigate, useLocation } from "./router.tsx";

const NAV = [
  { to: "/datanets", label: "Datanets" },
  { to: "/models", label: "Models" },
  { to: "/playground", label: "Playground" },
  { to: "/earnings", label: "Earnings" },
  { to: "/epochs", label: "Epochs" },
  { to: "/settings", label: "Settings" },
];

type Route = { pattern: string; render: (p: Record<string, string>, query: URLSearchParams) => ReactNode };

const ROUTES: Route[] = [
  { pattern: "/datanets", render: () => <Datanets /> },
  { pattern: "/datanets/:id/upload", render: (p) => <Upload datanetId={p.id!} /> },
  { pattern: "/datanets/:id/curation", render: (p) => <Curation datanetId={p.id!} /> },
  { pattern: "/datanets/:id", render: (p) => <DatanetDetail datanetId={p.id!} /> },
  { pattern: "/contributions/:id", render: (p) => <ContributionPage id={p.id!} /> },
  { pattern: "/models", render: () => <Models /> },
  { pattern: "/playground", render: (_p, q) => <Playground initialModel={q.get("model") ?? ""} /> },
  { pattern: "/earnings", render: () => <Earnings address="" /> },
  { pattern: "/earnings/:address", render: (p) => <Earnings address={p.address!} /> },
  { pattern: "/epochs", render: () => <Epochs /> },
  { pattern: "/settings", render: () => <Settings /> },
];

function Page({ path, query }: { path: string; query: URLSearchParams }) {
  if (path === "/" || path === "") return <Datanets />;
  for (const route of ROUTES) {
    const params = match(route.pattern, path);
    if (params) return <>{route.render(params, query)}</>;
  }
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. <Link to="/datanets">Go to the datanets</Link>.
      </p>
    </section>
  );
}

/** The web app: header with navigation, and the page for the current path. */
export function App() {
  const { path, query } = useLocation();
  const [operator, setOperator] = useState(operatorToken() !== "");
  useEffect(() => {
    const on = () => setOperator(operatorToken() !== "");
    window.addEventListener("storage", on);
    window.addEventListener("tributary:settings", on);
    return () => {
      window.removeEventListener("storage", on);
      window.removeEventListener("tributary:settings", on);
    };
  }, []);
  useEffect(() => {
    if (path === "/") navigate("/datanets", true);
  }, [path]);
  const section = `/${path.split("/")[1] ?? ""}`;
  return (
    <>
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="top">
        <Link to="/datanets" className="brand" aria-label="Tributary home">
          <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="currentColor" />
            <path
              d="M6 22c5-1 6-6 10-6s5 5 10 4M6 14c5-1 6-5 10-5s5 4 10 3"
              stroke="#fff"
              strokeWidth="2.4"
              fill="none"
              strokeLinecap="round"
            />
          </svg>
          <span className="brand-name">Tributary</span>
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={section === n.to ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className={`operator-pill ${operator ? "on" : ""}`} title="Operator token">
          {operator ? "Operator" : "Visitor"}
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} query={query} />
      </main>
      <footer className="foot">
        Tributary: payable AI with on-chain attribution. API under <code>/v1</code>.
      </footer>
    </>
  );
}
