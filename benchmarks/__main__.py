"""Run every benchmarks/bench_*.py (or those named) in a fresh process, one after another."""

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    folder = Path(__file__).parent
    selected = [arg for arg in argv if not arg.startswith("-")]
    flags = [arg for arg in argv if arg.startswith("-")]
    scripts = sorted(folder.glob("bench_*.py"))
    if selected:
        scripts = [script for script in scripts if any(name in script.stem for name in selected)]
    if not scripts:
        print("No benchmarks found.")
        return 0
    failed = 0
    for script in scripts:
        print(f"=== {script.stem} ===", flush=True)
        result = subprocess.run([sys.executable, str(script), *flags], check=False)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
