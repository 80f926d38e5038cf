// Test helper: starts anvil, prints its RPC URL and watchdog pid, then waits to be killed.
import { startAnvil } from "../startAnvil.ts";

const anvil = await startAnvil();
process.stdout.write(`${JSON.stringify({ rpcUrl: anvil.rpcUrl, pid: anvil.pid })}\n`);
setInterval(() => {}, 1 << 30);
