import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { captureOperatorFragment } from "./api.ts";
import "./styles.css";

captureOperatorFragment();
createRoot(document.getElementById("root")!).render(<App />);
