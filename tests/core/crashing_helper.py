"""A helper for tests/core/test_helper_process.py: says why on stderr, then dies (or answers once when asked)."""

import sys

from explorer.core.helper_process import send

if __name__ == "__main__":
    if sys.argv[1:] == ["answer-once"]:
        sys.stdin.readline()
        send(sys.stdout.buffer, {"result": 3}, b"abc")
        sys.stdin.readline()
    print("helper: the model file is damaged", file=sys.stderr)
    sys.exit(3)
