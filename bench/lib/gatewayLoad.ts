/**
 * Load generator of bench/gateway.ts, run in its own process so it does not share the node's event loop:
 * autocannon against `POST /v1/chat/completions`, rotating API keys (payers), prompts and seeds per request.
 * Reads its settings as JSON from argv[2]; prints autocannon's result as one JSON line on stdout.
 */
import autocannon from "autocannon";

type Settings = {
  url: string;
  keys: string[];
  prompts: string[];
  model: string;
  maxTokens: number;
  connections: number;
  durationSec: number;
};

const s = JSON.parse(process.argv[2] as string) as Settings;
let n = 0;
const result = await autocannon({
  url: `${s.url}/v1/chat/completions`,
  connections: s.connections,
  duration: s.durationSec,
  method: "POST",
  headers: { "content-type": "application/json" },
  requests: [
    {
      setupRequest: (req) => {
        const i = n++;
        return {
          ...req,
          headers: { ...req.headers, authorization: `Bearer ${s.keys[i % s.keys.length]}` },
          body: JSON.stringify({
            model: s.model,
            messages: [{ role: "user", content: s.prompts[i % s.prompts.length] }],
            max_tokens: s.maxTokens,
            temperature: 1,
            seed: i,
          }),
        };
      },
    },
  ],
});
process.stdout.write(`${JSON.stringify(result)}\n`);
