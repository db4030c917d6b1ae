"""The explorer's overview in a real browser: bytes transferred and time to interactive.

    make run                                   # in another terminal: the app on :8000
    .venv/bin/python -m bench.explorer         # or --base-url http://127.0.0.1:8123

`make bench` runs the same measurement on the benchmark's API, after everything else (so the
templates it loads into a worker count in no other number), and RESULTS.md judges it.

Needs the `browser` extra and Debian's chromium (`make test-browser` and `make bench` install
both). Each run is a cold page load in a fresh browser context (no cache) over loopback; the
median of `--runs` is reported against the targets: under 300 KB transferred and interactive
under 1 s. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
from pathlib import Path
from typing import Any

TARGET_BYTES = 300 * 1024
TARGET_INTERACTIVE_MS = 1000.0
CHROMIUM = "/usr/bin/chromium"
PATH = "/explore"
RUNS = 5


def unavailable(chromium: str = CHROMIUM) -> str | None:
    """Why the measurement cannot run here (checked before a long benchmark starts), or None."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (the `browser` extra: `make bench` installs it)"
    if not Path(chromium).exists():
        return f"no chromium at {chromium} (`make chromium` installs Debian's)"
    return None


def _transferred(request: Any) -> int:
    """Bytes on the wire for one request's response: headers and (encoded) body."""
    sizes = request.sizes()
    return int(sizes["responseHeadersSize"]) + int(sizes["responseBodySize"])


def measure(
    base_url: str, path: str = PATH, runs: int = RUNS, chromium: str = CHROMIUM
) -> dict[str, Any]:
    """Medians over `runs` cold loads: bytes transferred, requests, ms to DOM interactive and
    to the load event's end (both from the navigation's start, so the server's time counts)."""
    from playwright.sync_api import Request, sync_playwright

    sizes: list[float] = []
    requests: list[float] = []
    interactive: list[float] = []
    loaded: list[float] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for _ in range(runs):
            context = browser.new_context(base_url=base_url)
            page = context.new_page()
            finished: list[Request] = []

            def keep(request: Request, into: list[Request] = finished) -> None:
                into.append(request)

            page.on("requestfinished", keep)

            response = page.goto(path, wait_until="load")
            if response is None or response.status != 200:
                status = response.status if response else "no response"
                raise RuntimeError(f"{base_url}{path}: HTTP {status}")
            timing = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.domInteractive, n.loadEventEnd]; }"
            )
            sizes.append(sum(_transferred(request) for request in finished))
            requests.append(len(finished))
            interactive.append(float(timing[0]))
            loaded.append(float(timing[1]))
            context.close()
        browser.close()
    return {
        "path": path,
        "runs": runs,
        "bytes": round(statistics.median(sizes)),
        "requests": round(statistics.median(requests)),
        "interactive_ms": round(statistics.median(interactive), 1),
        "load_ms": round(statistics.median(loaded), 1),
    }


def passed(measured: dict[str, Any]) -> tuple[bool, bool]:
    """(under 300 KB transferred, interactive under 1 s)."""
    return (
        measured["bytes"] < TARGET_BYTES,
        measured["interactive_ms"] < TARGET_INTERACTIVE_MS,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--path", default=PATH)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args()
    reason = unavailable(args.chromium)
    if reason:
        print(f"cannot measure the explorer: {reason}", file=sys.stderr)
        return 2
    measured = measure(args.base_url, args.path, args.runs, args.chromium)
    size_ok, fast_ok = passed(measured)
    print(f"explorer {args.path} on {args.base_url}, median of {args.runs} cold loads")
    verdict = {True: "pass", False: "FAIL"}
    print(
        f"  transferred     {measured['bytes'] / 1024:8.1f} KB   target < 300 KB: "
        f"{verdict[size_ok]} ({measured['requests']} requests)"
    )
    print(
        f"  interactive     {measured['interactive_ms']:8.1f} ms   target < 1000 ms: "
        f"{verdict[fast_ok]}"
    )
    print(f"  load event end  {measured['load_ms']:8.1f} ms")
    return 0 if size_ok and fast_ok else 1


if __name__ == "__main__":
    sys.exit(main())
