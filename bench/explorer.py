"""The explorer's overview in a real browser: bytes transferred and time to interactive.

    make run                                   # in another terminal: the app on :8000
    .venv/bin/python -m bench.explorer         # or --base-url http://127.0.0.1:8123

Needs the `browser` extra and Debian's chromium (`make test-browser` installs both). Each run
is a cold page load in a fresh browser context (no cache) over loopback; the median of
`--runs` is reported against the targets: under 300 KB transferred and interactive under 1 s.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from playwright.sync_api import Request, sync_playwright

TARGET_BYTES = 300 * 1024
TARGET_INTERACTIVE_MS = 1000.0
CHROMIUM = "/usr/bin/chromium"


def _transferred(request: Request) -> int:
    """Bytes on the wire for one request's response: headers and (encoded) body."""
    sizes = request.sizes()
    return int(sizes["responseHeadersSize"]) + int(sizes["responseBodySize"])


def measure(base_url: str, path: str, runs: int, chromium: str) -> tuple[float, float, float]:
    """Median bytes transferred, ms to DOM interactive, ms to load, over `runs` cold loads."""
    sizes: list[float] = []
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

            page.goto(path, wait_until="load")
            timing = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.domInteractive, n.loadEventEnd]; }"
            )
            sizes.append(sum(_transferred(request) for request in finished))
            interactive.append(float(timing[0]))
            loaded.append(float(timing[1]))
            context.close()
        browser.close()
    return statistics.median(sizes), statistics.median(interactive), statistics.median(loaded)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--path", default="/explore")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args()
    size, interactive, loaded = measure(args.base_url, args.path, args.runs, args.chromium)
    size_ok = size < TARGET_BYTES
    fast_ok = interactive < TARGET_INTERACTIVE_MS
    print(f"explorer {args.path} on {args.base_url}, median of {args.runs} cold loads")
    verdict = {True: "pass", False: "FAIL"}
    print(f"  transferred     {size / 1024:8.1f} KB   target < 300 KB: {verdict[size_ok]}")
    print(f"  interactive     {interactive:8.1f} ms   target < 1000 ms: {verdict[fast_ok]}")
    print(f"  load event end  {loaded:8.1f} ms")
    return 0 if size_ok and fast_ok else 1


if __name__ == "__main__":
    sys.exit(main())
