// node burst.mjs BASE_URL REQUESTS MAX_RETRIES: REQUESTS chat requests at once through the official
// OpenAI Node SDK with MAX_RETRIES retries each (the SDK waits what retry-after-ms says), all as one
// caller. Prints one JSON line: how many succeeded, how many calls each took, the total time.
import OpenAI from 'openai';

const [baseURL, requests = '12', maxRetries = '4'] = process.argv.slice(2);
const started = Date.now();
const outcomes = await Promise.all(Array.from({ length: Number(requests) }, async () => {
  let calls = 0;
  const client = new OpenAI({
    baseURL, apiKey: 'sk-sdk-burst', maxRetries: Number(maxRetries),
    fetch: (url, init) => { calls += 1; return fetch(url, init); },
  });
  try {
    await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 5,
      messages: [{ role: 'user', content: 'hi' }] });
    return { ok: true, calls, ms: Date.now() - started };
  } catch (error) {
    return { ok: false, calls, status: error.status ?? null, ms: Date.now() - started };
  }
}));
const callsHistogram = {};
for (const outcome of outcomes) callsHistogram[outcome.calls] = (callsHistogram[outcome.calls] ?? 0) + 1;
console.log(JSON.stringify({
  requests: Number(requests), max_retries: Number(maxRetries),
  succeeded: outcomes.filter(o => o.ok).length, failed: outcomes.filter(o => !o.ok).length,
  calls_per_request: callsHistogram, total_calls: outcomes.reduce((sum, o) => sum + o.calls, 0),
  total_ms: Math.max(...outcomes.map(o => o.ms)),
}));
