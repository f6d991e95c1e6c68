// `node dist/src/healthcheck.js [url]`: the image's health check (slim images have no curl).
// Exit 0 when the URL answers 2xx within 4 s; default: this container's API on $PORT.
async function main(): Promise<number> {
  const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT || '3000'}/healthz`;
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(4000) });
    process.stdout.write(`${answer.status} ${await answer.text()}\n`);
    return answer.ok ? 0 : 1;
  } catch (error) {
    process.stdout.write(`${url}: ${String(error)}\n`);
    return 1;
  }
}

void main().then((code) => process.exit(code));
