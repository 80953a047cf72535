"""Run every benchmark in bench/ (each writes its own table under bench/results/).

Usage: python bench/run.py [NAME ...]   e.g. `python bench/run.py drift profile`
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent


def main(names: list[str]) -> int:
    scripts = sorted(p for p in BENCH.glob("*.py") if p.name not in {"run.py", "__init__.py"})
    if names:
        scripts = [p for p in scripts if p.stem in names]
    failed = []
    for script in scripts:
        print(f"== bench/{script.name}", flush=True)
        if subprocess.call([sys.executable, str(script)]) != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
