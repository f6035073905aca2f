// What a running server's REST says of the market, for tests that must let trades happen (a paused
// page, a stopped reader) and wait on the server having made them rather than on a fixed time.

/** The newest aggregate trade id of `symbol` on the server at `baseUrl` (http://host:port); -1 before any. */
export async function newestAggId(baseUrl: string, symbol = 'SOLUSDT'): Promise<number> {
  const rows = (await (await fetch(`${baseUrl}/api/v3/aggTrades?symbol=${symbol}&limit=1`)).json()) as { a: number }[];
  return rows[0]?.a ?? -1;
}

/** Poll until the server has made aggregate trade `atLeast`; resolves with the newest id then. */
export async function untilAggId(baseUrl: string, atLeast: number, symbol = 'SOLUSDT', timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await newestAggId(baseUrl, symbol);
    if (a >= atLeast) return a;
    if (Date.now() > deadline) throw new Error(`the server made no aggregate trade ${atLeast} of ${symbol} within ${timeoutMs} ms (newest ${a})`);
    await new Promise((r) => setTimeout(r, 50)); // poll interval
  }
}
