"""Locust load for a deployed Sluice: chat completions from many callers, polite on 429.

    locust -f deploy/loadtest/locustfile.py --host https://sluice.example.com

Each simulated user is one caller with its own bearer token. It sends mostly short prompts, some
long ones, and streams a share of them. On a 429 it waits as long as the reply advises, as the
OpenAI SDKs do, before its next request. Environment (see README.md): SLUICE_MODEL,
SLUICE_CALLER_TOKENS, SLUICE_LONG_SHARE, SLUICE_STREAM_SHARE.
"""
import itertools
import json
import os
import random
import re

from locust import HttpUser, between, events, task
from locust.runners import WorkerRunner

MODEL = os.environ.get("SLUICE_MODEL", "gpt-4o-mini")
TOKENS = [t.strip() for t in os.environ.get("SLUICE_CALLER_TOKENS", "").split(",") if t.strip()]
LONG_SHARE = float(os.environ.get("SLUICE_LONG_SHARE", "0.1"))
STREAM_SHARE = float(os.environ.get("SLUICE_STREAM_SHARE", "0.3"))

SHORT_PROMPTS = ["Say hello in French.", "What is the capital of Australia?",
                 "Give me a synonym for 'quick'.", "Summarise the rules of chess in one sentence."]
# About 2,000 tokens of context, like a pasted document with a question at the end.
LONG_PROMPT = 120 * "Sluice charges each request to its caller's bucket and the upstream key's. " \
    + "\nIn three bullet points, what does this text say?"

# 429s and the waits they advised; in a distributed run each worker sends its own to the master.
refusals = {"count": 0, "advised_wait_s": 0.0}
_user_numbers = itertools.count(1)
_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def advised_wait_seconds(headers):
    """What a 429 asks for: retry-after-ms, else retry-after (seconds), else the reset time."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return max(0.0, float(headers[name]) * scale)
        except (KeyError, ValueError):  # absent, or retry-after as an HTTP date
            pass
    reset = headers.get("x-ratelimit-reset-requests", "")  # Go format: 20ms, 1.5s, 6m0s
    parts = _GO_DURATION.findall(reset)
    return sum(float(n) * _SECONDS[unit] for n, unit in parts) if parts else 1.0


class ChatCaller(HttpUser):
    """One API caller: a bearer token, a think time between requests, and respect for 429s."""

    think_time = between(1, 5)

    def on_start(self):
        number = next(_user_numbers)
        token = TOKENS[(number - 1) % len(TOKENS)] if TOKENS else f"loadtest-user-{number}"
        self.client.headers["Authorization"] = f"Bearer {token}"
        self.backoff_seconds = 0.0

    def wait_time(self):
        """The advised wait after a 429, else the think time."""
        wait, self.backoff_seconds = self.backoff_seconds, 0.0
        return wait if wait > 0 else self.think_time()

    @task
    def chat(self):
        long = random.random() < LONG_SHARE
        stream = random.random() < STREAM_SHARE
        prompt = LONG_PROMPT if long else random.choice(SHORT_PROMPTS)
        body = {
            "model": MODEL,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": 200 if long else 50,
        }
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        name = f"chat {'long' if long else 'short'}{' stream' if stream else ''}"
        with self.client.post("/v1/chat/completions", json=body, name=name, stream=stream,
                              catch_response=True) as response:
            if response.status_code == 429:
                self.refused(response)
            elif response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif stream:
                read_stream(response)
            else:
                response.success()

    def refused(self, response):
        """Fails a 429 in a category of its own and waits as advised before the next request."""
        self.backoff_seconds = advised_wait_seconds(response.headers)
        refusals["count"] += 1
        refusals["advised_wait_s"] += self.backoff_seconds
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = "without an OpenAI error body"
        remaining = response.headers.get("x-ratelimit-remaining-requests", "?")
        response.failure(f"429 {code} (remaining requests: {remaining})")


def read_stream(response):
    """Reads an SSE body to its end: counts chunks, checks for usage and for data: [DONE]."""
    chunks, usage, done = 0, False, False
    for line in response.iter_lines():
        line = line.decode("utf-8")
        if not line.startswith("data:"):
            continue  # blank separators, comments, event names
        data = line[len("data:"):].strip()
        if data == "[DONE]":
            done = True
            break
        chunks += 1
        try:
            usage = usage or bool(json.loads(data).get("usage"))
        except (ValueError, AttributeError):
            return response.failure(f"stream chunk {chunks} is not a JSON object")
    if not done:
        response.failure(f"stream ended without data: [DONE] after {chunks} chunks")
    elif not usage:
        response.failure("stream without a usage chunk")
    else:
        response.success()


@events.report_to_master.add_listener
def send_refusals(client_id, data):
    data["refusals"] = dict(refusals)
    refusals.update(count=0, advised_wait_s=0.0)


@events.worker_report.add_listener
def add_refusals(client_id, data):
    for key, value in data.get("refusals", {}).items():
        refusals[key] += value


@events.test_stop.add_listener
def print_refusals(environment, **_kwargs):
    """Prints how often callers were refused and how long they were told to wait in total."""
    if isinstance(environment.runner, WorkerRunner):
        return
    sent = environment.stats.total.num_requests
    share = refusals["count"] / sent if sent else 0.0
    print(f"429s: {refusals['count']} of {sent} requests ({share:.1%}); "
          f"advised wait: {refusals['advised_wait_s']:.1f} s in total")
