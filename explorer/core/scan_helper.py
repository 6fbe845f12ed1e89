"""Helper process for a parallel JSONL scan: `python -m explorer.core.scan_helper PATH START END MAPPING_JSON`."""

import json
import sys

from explorer.core.formats import ColumnMapping
from explorer.core.scanning import encode_part, scan_bytes


def main(argv: list[str]) -> None:
    path, start, end, mapping_json = argv
    mapping = json.loads(mapping_json)
    with open(path, "rb") as f:
        f.seek(int(start))
        data = f.read(int(end) - int(start))
    part = scan_bytes(path, data, ColumnMapping(**mapping) if mapping else None)
    sys.stdout.buffer.write(encode_part(part))


if __name__ == "__main__":
    main(sys.argv[1:])
