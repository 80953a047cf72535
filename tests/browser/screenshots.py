"""Screenshots of every page type for the README, from the demo, in headless Chromium.

    python -m tests.browser.screenshots [--demo DIR] [--out docs/img]

Runs the demo (13 windows) into DIR unless DIR already holds one, then saves
drift.png, performance.png (the demo's regression), classification.png (a classifier whose
labels stop arriving: estimates and the confusion matrix), validation.png (a 2012 week
broken on purpose) and history.png, 800 px wide.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from tests.browser.chromium import open_browser, screenshot
from tests.browser.classification import classification_page
from tests.browser.validation import broken_window_page
from tests.conftest import DEMO_DATA

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, default=Path(".demo"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    outcomes_file = args.demo / "outcomes.json"
    if not outcomes_file.exists():
        from driftline.demo.runner import run_demo

        outcomes = [asdict(o) for o in run_demo(args.demo)]
        outcomes_file.write_text(json.dumps(outcomes))
    outcomes = json.loads(outcomes_file.read_text())
    last = outcomes[-1]
    classification = classification_page(DEMO_DATA / "hour.csv", args.demo / "classification")
    pages = {
        "drift": last["drift_html"],
        "performance": last["performance_html"],
        "classification": str(classification),
        "validation": str(broken_window_page(DEMO_DATA / "hour.csv", args.demo / "broken")),
        "history": last["history_html"],
    }
    with open_browser() as driver:
        for name, page in pages.items():
            print(screenshot(driver, Path(page), args.out / f"{name}.png"))


if __name__ == "__main__":
    main()
